package code

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

const (
	py    = "Try this:\n\ndef add(a, b):\n    return a + b\n\nprint(add(1, 2))\n"
	goSrc = "```go\npackage main\n\nfunc main() {\n\tprintln(\"hi\")\n}\n```"
	prose = "The committee reviewed the budget and approved new library hours for the summer."
)

func TestScan(t *testing.T) {
	cases := []struct {
		name  string
		cfg   Config
		text  string
		valid bool
	}{
		{"blocked_python", Config{Languages: []string{"python"}, IsBlocked: true, Threshold: 0.5}, py, false},
		{"blocked_other_language", Config{Languages: []string{"python"}, IsBlocked: true, Threshold: 0.5}, goSrc, true},
		{"blocked_alias", Config{Languages: []string{"golang"}, IsBlocked: true, Threshold: 0.5}, goSrc, false},
		{"allow_list_hit", Config{Languages: []string{"Go"}, IsBlocked: false, Threshold: 0.5}, goSrc, true},
		{"allow_list_miss", Config{Languages: []string{"Go"}, IsBlocked: false, Threshold: 0.5}, py, false},
		{"prose", Config{Languages: []string{"python"}, IsBlocked: true, Threshold: 0.5}, prose, true},
		{"allow_list_prose", Config{Languages: []string{"Go"}, IsBlocked: false, Threshold: 0.5}, prose, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scannertest.Must(t, New, c.cfg)
			res, err := s.Scan(context.Background(), scanner.Input{Prompt: c.text})
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid != c.valid || res.Valid != (res.Risk == 0) {
				t.Errorf("valid %v risk %v findings %+v, want valid %v", res.Valid, res.Risk, res.Findings, c.valid)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []struct {
		cfg   Config
		field string
	}{
		{DefaultConfig(), "languages"},
		{Config{Languages: []string{"python", "klingon-script"}, Threshold: 0.5}, "languages[1]"},
		{Config{Languages: []string{"python"}}, "threshold"},
	} {
		if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: err %v, want one naming %s", c.cfg, err, c.field)
		}
	}
	c := DefaultConfig()
	scannertest.DecodeYAML(t, "languages: [Python, C#]\nis_blocked: false\n", &c)
	if d := cmp.Diff(Config{Languages: []string{"Python", "C#"}, IsBlocked: false, Threshold: 0.5}, c); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	a, _ := New(Config{Languages: []string{"python"}, IsBlocked: true, Threshold: 0.5})
	b, _ := New(Config{Languages: []string{"python"}, IsBlocked: false, Threshold: 0.5})
	d, _ := New(Config{Languages: []string{"Python"}, IsBlocked: true, Threshold: 0.5})
	if a.Fingerprint() == b.Fingerprint() || a.Fingerprint() != d.Fingerprint() {
		t.Error("fingerprint must change with is_blocked and not with an alias of the same language")
	}
}

func TestConformance(t *testing.T) {
	for _, cfg := range []Config{{Languages: []string{"python", "go"}, IsBlocked: true, Threshold: 0.5}, {Languages: []string{"go"}, IsBlocked: false, Threshold: 0.5}} {
		s := scannertest.Must(t, New, cfg)
		scannertest.Run(t, s, scannertest.WithInputs(py, goSrc))
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{py, goSrc, prose, "```\n\xff\n```"} {
		f.Add(s)
	}
	s := scannertest.Must(f, New, Config{Languages: []string{"python"}, IsBlocked: false, Threshold: 0.5})
	f.Fuzz(func(t *testing.T, text string) {
		res := scannertest.Check(t, s, scanner.Input{Prompt: text})
		if res.Valid != (len(res.Findings) == 0) {
			t.Fatalf("risk %v valid %v findings %d", res.Risk, res.Valid, len(res.Findings))
		}
	})
}

func BenchmarkScan(b *testing.B) {
	text := (strings.Repeat(prose+" ", 5) + "\n" + py + "\n" + goSrc + "\n" + strings.Repeat(prose+" ", 7))[:1024]
	s := scannertest.Must(b, New, Config{Languages: []string{"python"}, IsBlocked: true, Threshold: 0.5})
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		s.Scan(context.Background(), scanner.Input{Prompt: text})
	}
}
