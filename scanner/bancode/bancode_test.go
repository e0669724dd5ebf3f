package bancode

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

const (
	py    = "Try this:\n\ndef add(a, b):\n    return a + b\n\nprint(add(1, 2))\n"
	prose = "The committee reviewed the budget and approved new library hours for the summer."
)

func TestScan(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	for _, c := range []struct {
		text  string
		valid bool
	}{
		{py, false},
		{"```\nanything in a fence\n```", false},
		{"Run `ls -la` to list files, then tell me what you see.", true},
		{prose, true},
		{"", true},
	} {
		res, err := s.Scan(context.Background(), scanner.Input{Prompt: c.text})
		if err != nil {
			t.Fatal(err)
		}
		if res.Valid != c.valid || res.Valid != (res.Risk == 0) {
			t.Errorf("%q: valid %v risk %v, want valid %v", c.text, res.Valid, res.Risk, c.valid)
		}
	}
	// A stricter threshold lets a weakly code-like block pass.
	strict, _ := New(Config{Threshold: 1})
	if res, _ := strict.Scan(context.Background(), scanner.Input{Prompt: "x = 1\ny = 2"}); !res.Valid {
		t.Errorf("threshold 1: weak block flagged (risk %v)", res.Risk)
	}
}

func TestConfig(t *testing.T) {
	if _, err := New(Config{}); err == nil || !strings.Contains(err.Error(), "threshold") {
		t.Errorf("err %v, want one naming threshold", err)
	}
	c := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader([]byte("threshold: 0.9\n")))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil || c.Threshold != 0.9 {
		t.Fatalf("decode: %v %+v", err, c)
	}
	a, _ := New(DefaultConfig())
	b, _ := New(c)
	if a.Fingerprint() == b.Fingerprint() {
		t.Error("fingerprint must change with threshold")
	}
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
		res := scannertest.Check(t, s, scanner.Input{Prompt: text})
		if res.Valid != (len(res.Findings) == 0) {
			t.Fatalf("risk %v valid %v findings %d", res.Risk, res.Valid, len(res.Findings))
		}
	})
}

func BenchmarkScan(b *testing.B) {
	text := (strings.Repeat(prose+" ", 6) + "\n" + py + "\n" + strings.Repeat(prose+" ", 6))[:1024]
	s := scannertest.Must(b, New, DefaultConfig())
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		s.Scan(context.Background(), scanner.Input{Prompt: text})
	}
}
