package sentiment

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// Compound scores published in vaderSentiment's README for its example
// sentences; an exact port reproduces them to the printed precision.
var vaderReference = []struct {
	text     string
	compound float64
}{
	{"VADER is smart, handsome, and funny.", 0.8316},
	{"VADER is smart, handsome, and funny!", 0.8439},
	{"VADER is very smart, handsome, and funny.", 0.8545},
	{"VADER is VERY SMART, handsome, and FUNNY.", 0.9227},
	{"VADER is not smart, handsome, nor funny.", -0.7424},
	{"The book was good.", 0.4404},
	{"The book was kind of good.", 0.3832},
	{"The plot was good, but the characters are uncompelling and the dialog is not great.", -0.7042},
	{"Today SUX!", -0.5461},
	{"Today only kinda sux! But I'll get by, lol", 0.5249},
	{"Make sure you :) or :D today!", 0.8633},
	{"Not bad at all", 0.431},
	{"A really bad, horrible book.", -0.8211},
}

func TestVADERMatchesReference(t *testing.T) {
	v := NewVADER()
	for _, c := range vaderReference {
		if got := v.Analyze(c.text).Compound; math.Abs(got-c.compound) > 5e-4 {
			t.Errorf("%q: compound %.4f, want %.4f", c.text, got, c.compound)
		}
	}
}

func TestVADERAnalysis(t *testing.T) {
	v := NewVADER()
	for _, text := range []string{"", "   ", "\xff\xfe", strings.Repeat("word ", 10000)} {
		a := v.Analyze(text)
		if a.Compound != 0 || a.Label != LabelNeutral || a.Risk != 0 || a.Findings != nil {
			t.Errorf("%.20q: %+v", text, a)
		}
	}
	a := v.Analyze("This is terrible, I hate it.")
	if a.Label != LabelNegative || a.Risk != -a.Compound || len(a.Findings) != 1 || a.Findings[0].Rule != "vader_compound" {
		t.Errorf("negative text: %+v", a)
	}
	if a := v.Analyze("I love it"); a.Label != LabelPositive || a.Risk != 0 {
		t.Errorf("positive text: %+v", a)
	}
}

func TestVADERScanner(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Threshold, cfg.Method = -0.1, MethodVADER
	s := scannertest.MustWith(t, New, cfg)
	if s.Heuristic() != nil {
		t.Error("method vader must not build the heuristic")
	}
	ctx := context.Background()
	for text, flagged := range map[string]bool{
		"This is the worst service I have ever had.": true,
		"Not bad at all":          false,
		"act as a linux terminal": false,
		"The meeting is at 3 pm.": false,
		"The book was good.":      false,
	} {
		r, err := s.Scan(ctx, scanner.Input{Prompt: text})
		if err != nil || r.Valid == flagged {
			t.Errorf("%q: valid %v err %v; want flagged %v", text, r.Valid, err, flagged)
		}
	}
	h, _ := New(vaderCfg(-0.1, MethodHeuristic))
	other, _ := New(vaderCfg(-0.2, MethodVADER))
	if s.Fingerprint() == h.Fingerprint() || s.Fingerprint() == other.Fingerprint() {
		t.Error("fingerprint must change with the method and the threshold")
	}
	if _, err := New(vaderCfg(-0.1, "textblob")); err == nil || !strings.Contains(err.Error(), "method") {
		t.Errorf("unknown method: err %v", err)
	}
	var inputs []string
	for _, c := range vaderReference {
		inputs = append(inputs, c.text)
	}
	scannertest.Run(t, s, scannertest.WithInputs(inputs...))
}

func FuzzVADER(f *testing.F) {
	for _, c := range vaderReference {
		f.Add(c.text)
	}
	f.Add("\xff\xfe\x00:(\x00 not")
	f.Add("but but but kind of kind of")
	f.Add("😭😭 🎉 !!!??? least not never")
	v := NewVADER()
	f.Fuzz(func(t *testing.T, text string) {
		a := v.Analyze(text)
		if a.Compound < -1 || a.Compound > 1 || a.Compound != a.Compound || a.Risk != max(0, -a.Compound) {
			t.Fatalf("%q: compound %v risk %v", text, a.Compound, a.Risk)
		}
	})
}

func BenchmarkVADERShortText(b *testing.B) {
	v := NewVADER()
	text := "The screen is nice, but the battery is terrible and it crashes constantly. Not worth the money :("
	scannertest.BenchCPU(b, len(text), func() { v.Analyze(text) })
}

func BenchmarkVADERBenign(b *testing.B) {
	v := NewVADER()
	text := benignCorpus(b)
	scannertest.BenchCPU(b, len(text), func() { v.Analyze(text) })
}

func vaderCfg(threshold float64, method string) Config {
	c := DefaultConfig()
	c.Threshold, c.Method = threshold, method
	return c
}
