package bancode

import (
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

const (
	py    = "Try this:\n\ndef add(a, b):\n    return a + b\n\nprint(add(1, 2))\n"
	prose = "The committee reviewed the budget and approved new library hours for the summer."
)

func TestScan(t *testing.T) {
	fenced := "```\nanything in a fence\n```"
	inline := "Run `ls -la` to list files, then tell me what you see."
	weak := "x = 1\ny = 2"
	scannertest.Table(t, New, []scannertest.Case[Config]{
		{Name: "python", Cfg: DefaultConfig(), Text: py, Sanitized: py, Spans: [][2]int{{11, 60}}},
		{Name: "fenced", Cfg: DefaultConfig(), Text: fenced, Sanitized: fenced, Spans: [][2]int{{4, 24}}},
		{Name: "inline_code_span", Cfg: DefaultConfig(), Text: inline, Valid: true, Sanitized: inline},
		{Name: "prose", Cfg: DefaultConfig(), Text: prose, Valid: true, Sanitized: prose},
		{Name: "empty", Cfg: DefaultConfig(), Text: "", Valid: true, Sanitized: ""},
		// A stricter threshold lets a weakly code-like block pass.
		{Name: "weak_block_threshold_1", Cfg: Config{Threshold: 1}, Text: weak, Valid: true, Sanitized: weak},
	})
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, New, []scannertest.BadConfig[Config]{{Cfg: Config{}, Field: "threshold"}, {Cfg: Config{Threshold: 1.5}, Field: "threshold"}})
	scannertest.DecodesYAML(t, DefaultConfig(), "threshold: 0.9\n", Config{Threshold: 0.9})
	scannertest.FingerprintsDiffer(t, New, DefaultConfig(), Config{Threshold: 0.9})
}

func TestConformance(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	scannertest.Run(t, s, scannertest.WithInputs(py))
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{py, prose, "```\n\xff\n```", "x := 1\n}"} {
		f.Add(s)
	}
	s := scannertest.Must(f, New, DefaultConfig())
	f.Fuzz(func(t *testing.T, text string) {
		scannertest.CheckFlagsByFindings(t, s, scanner.Input{Prompt: text})
	})
}

func BenchmarkScan(b *testing.B) {
	text := (strings.Repeat(prose+" ", 6) + "\n" + py + "\n" + strings.Repeat(prose+" ", 6))[:1024]
	s := scannertest.Must(b, New, DefaultConfig())
	scannertest.Bench(b, s, scanner.Input{Prompt: text})
}
