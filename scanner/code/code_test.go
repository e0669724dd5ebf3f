package code

import (
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

const (
	py    = "Try this:\n\ndef add(a, b):\n    return a + b\n\nprint(add(1, 2))\n"
	goSrc = "```go\npackage main\n\nfunc main() {\n\tprintln(\"hi\")\n}\n```"
	prose = "The committee reviewed the budget and approved new library hours for the summer."
)

func TestScan(t *testing.T) {
	python, golang := []string{"python"}, []string{"Go"}
	scannertest.Table(t, newPlain, []scannertest.Case[Config]{
		{Name: "blocked_python", Cfg: Config{Languages: python, IsBlocked: true, Threshold: 0.5}, Text: py, Sanitized: py, Spans: [][2]int{{11, 60}}},
		{Name: "blocked_other_language", Cfg: Config{Languages: python, IsBlocked: true, Threshold: 0.5}, Text: goSrc, Valid: true, Sanitized: goSrc},
		{Name: "blocked_alias", Cfg: Config{Languages: []string{"golang"}, IsBlocked: true, Threshold: 0.5}, Text: goSrc, Sanitized: goSrc, Spans: [][2]int{{6, 51}}},
		{Name: "allow_list_hit", Cfg: Config{Languages: golang, IsBlocked: false, Threshold: 0.5}, Text: goSrc, Valid: true, Sanitized: goSrc},
		{Name: "allow_list_miss", Cfg: Config{Languages: golang, IsBlocked: false, Threshold: 0.5}, Text: py, Sanitized: py, Spans: [][2]int{{11, 60}}},
		{Name: "prose", Cfg: Config{Languages: python, IsBlocked: true, Threshold: 0.5}, Text: prose, Valid: true, Sanitized: prose},
		{Name: "allow_list_prose", Cfg: Config{Languages: golang, IsBlocked: false, Threshold: 0.5}, Text: prose, Valid: true, Sanitized: prose},
	})
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, newPlain, []scannertest.BadConfig[Config]{
		{Cfg: DefaultConfig(), Field: "languages"},
		{Cfg: Config{Languages: []string{"python", "klingon-script"}, Threshold: 0.5}, Field: "languages[1]"},
		{Cfg: Config{Languages: []string{"python"}}, Field: "threshold"},
	})
	scannertest.DecodesYAML(t, DefaultConfig(), "languages: [Python, C#]\nis_blocked: false\n", Config{Languages: []string{"Python", "C#"}, IsBlocked: false, Threshold: 0.5})
	py := Config{Languages: []string{"python"}, IsBlocked: true, Threshold: 0.5}
	scannertest.FingerprintsDiffer(t, newPlain, py, Config{Languages: []string{"python"}, IsBlocked: false, Threshold: 0.5},
		Config{Languages: []string{"python", "go"}, IsBlocked: true, Threshold: 0.5}, Config{Languages: []string{"python"}, IsBlocked: true, Threshold: 0.6})
	if scannertest.Must(t, newPlain, py).Fingerprint() != scannertest.Must(t, newPlain, Config{Languages: []string{"Python"}, IsBlocked: true, Threshold: 0.5}).Fingerprint() {
		t.Error("an alias of the same language must not change the fingerprint")
	}
}

func TestConformance(t *testing.T) {
	for _, cfg := range []Config{{Languages: []string{"python", "go"}, IsBlocked: true, Threshold: 0.5}, {Languages: []string{"go"}, IsBlocked: false, Threshold: 0.5}} {
		s := scannertest.Must(t, newPlain, cfg)
		scannertest.Run(t, s, scannertest.WithInputs(py, goSrc))
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{py, goSrc, prose, "```\n\xff\n```"} {
		f.Add(s)
	}
	s := scannertest.Must(f, newPlain, Config{Languages: []string{"python"}, IsBlocked: false, Threshold: 0.5})
	f.Fuzz(func(t *testing.T, text string) {
		scannertest.CheckFlagsByFindings(t, s, scanner.Input{Prompt: text})
	})
}

func BenchmarkScan(b *testing.B) {
	text := (strings.Repeat(prose+" ", 5) + "\n" + py + "\n" + goSrc + "\n" + strings.Repeat(prose+" ", 7))[:1024]
	s := scannertest.Must(b, newPlain, Config{Languages: []string{"python"}, IsBlocked: true, Threshold: 0.5})
	scannertest.Bench(b, s, scanner.Input{Prompt: text})
}

// newPlain is New without options, in the shape the scannertest helpers take.
func newPlain(c Config) (*Scanner, error) { return New(c) }
