package gibberish

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/binclass"
	"github.com/llmshield/llmshield/internal/datasets"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// TestParity checks that the Go features and probability equal the
// training script's on texts it wrote (testdata/parity.jsonl).
func TestParity(t *testing.T) {
	s := scannertest.Must(t, newPlain, DefaultConfig())
	n := 0
	for _, row := range datasets.MustReadRows[struct {
		Text     string    `json:"text"`
		Features []float64 `json:"features"`
		P        float64   `json:"p"`
	}](t, "testdata/parity.jsonl") {
		var fz featurizer
		fz.reset(s.m)
		fz.add(row.Text)
		got := fz.features()
		for i := range got {
			if math.Abs(got[i]-row.Features[i]) > 1e-6 {
				t.Errorf("%.40q feature %d: go %v, python %v", row.Text, i, got[i], row.Features[i])
			}
		}
		if p := s.m.prob(got); math.Abs(p-row.P) > 1e-4 {
			t.Errorf("%.40q: go p %v, python %v", row.Text, p, row.P)
		}
		n++
	}
	if n < 50 {
		t.Fatalf("only %d parity rows", n)
	}
}

func TestScan(t *testing.T) {
	s := scannertest.Must(t, newPlain, DefaultConfig())
	scannertest.Verdicts(t, s, map[string]bool{
		"What's the weather like in Paris today? I need to pack for a trip.": true,
		"Wie wird das Wetter morgen in Berlin? Ich möchte wandern gehen.":    true,
		"Quel temps fera-t-il demain à Lyon ? Je voudrais faire du vélo.":    true,
		"Напиши, пожалуйста, короткое письмо коллеге о переносе встречи.":    true,
		"func main() {\n\tfmt.Println(\"hello, world\")\n}":                  true,
		"ok": true,
		"今天天气怎么样？我想去公园散步。":                                         true,
		"asdkfj qwpoeiru zxmcnvb aslkdjf qwerpoiu zxcvmnb lkjasdf": false,
		"dfhsdkjfhskdjfh sdkfjhsdkfjhsdf kjhsdfkjhsdf kjhsdkfjhsd": false,
		"lol lol lol lol lol lol lol lol lol lol lol lol lol lol":  false,
		"gjqx vbnz rtkp wqzx cvbn mlkj hgfd sapo iuyt rewq":        false,
	}, nil)
	// Sentence mode finds one gibberish sentence among real ones that the
	// full text's average hides.
	text := "Please summarise the attached report for the board. Keep it short and factual. Mention the budget. xkqz vbnw qpzx lkjq wxcv."
	full, _ := scannertest.Must(t, newPlain, DefaultConfig()).Scan(context.Background(), scanner.Input{Prompt: text})
	sent, _ := scannertest.Must(t, newPlain, Config{Threshold: 0.5, MatchType: MatchSentence, MinLetters: 10}).Scan(context.Background(), scanner.Input{Prompt: text})
	if sent.Valid || len(sent.Findings) != 1 || strings.TrimSpace(text[sent.Findings[0].Start:sent.Findings[0].End]) != "xkqz vbnw qpzx lkjq wxcv." {
		t.Errorf("sentence mode: valid %v findings %+v", sent.Valid, sent.Findings)
	}
	if full.Risk >= sent.Risk {
		t.Errorf("full risk %.2f should be below the worst sentence's %.2f", full.Risk, sent.Risk)
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, newPlain, []scannertest.BadConfig[Config]{
		{Cfg: Config{MatchType: MatchFull, MinLetters: 1}, Field: "threshold"},
		{Cfg: Config{Threshold: 1.5, MatchType: MatchFull, MinLetters: 1}, Field: "threshold"},
		{Cfg: Config{Threshold: 0.5, MatchType: "chunks", MinLetters: 1}, Field: "match_type"},
		{Cfg: Config{Threshold: 0.5, MatchType: MatchFull}, Field: "min_letters"},
	})
	scannertest.DecodesYAML(t, DefaultConfig(), "threshold: 0.8\nmatch_type: sentence\n", Config{Threshold: 0.8, MatchType: MatchSentence, MinLetters: 10})
	scannertest.FingerprintsDiffer(t, newPlain, DefaultConfig(), Config{Threshold: 0.6, MatchType: MatchFull, MinLetters: 10},
		Config{Threshold: 0.5, MatchType: MatchSentence, MinLetters: 10}, Config{Threshold: 0.5, MatchType: MatchFull, MinLetters: 5})
	if _, err := parseModel(modelBin[:len(modelBin)-1]); err == nil {
		t.Error("truncated model accepted")
	}
}

func TestConformance(t *testing.T) {
	scannertest.Run(t, scannertest.Must(t, newPlain, DefaultConfig()), scannertest.WithInputs("asdkfj qwpoeiru zxmcnvb aslkdjf qwerpoiu"))
	scannertest.Run(t, scannertest.Must(t, newPlain, Config{Threshold: 0.5, MatchType: MatchSentence, MinLetters: 10}), scannertest.WithInputs("Fine. asdkfj qwpoeiru zxmcnvb aslkdjf."))
}

// TestHeldOutTable prints the accuracy table on the held-out texts that
// training/gibberish/train.py writes to training/work (skipped when absent):
//
//	LLMSHIELD_EVAL=1 go test ./scanner/gibberish -run TestHeldOutTable -v -timeout 30m
func TestHeldOutTable(t *testing.T) {
	held := datasets.HeldOut[struct {
		Source, Lang, Text string
		Label              int
	}](t, filepath.Join("..", "..", "training", "work", "gibberish_eval.jsonl"), "run make -C training gibberish")
	s := scannertest.Must(t, newPlain, DefaultConfig())
	type agg struct{ n, flagged, noVerdict int }
	rows := map[string]*agg{}
	var c binclass.Confusion
	for _, r := range held {
		key := fmt.Sprintf("real | %s | %s", r.Source, r.Lang)
		if r.Label == 1 {
			key = "gibberish | " + r.Source + " | all"
		}
		a := rows[key]
		if a == nil {
			a = &agg{}
			rows[key] = a
		}
		a.n++
		res := scannertest.Check(t, s, scanner.Input{Prompt: r.Text})
		if _, ok := s.Score(r.Text); !ok {
			a.noVerdict++
		}
		if !res.Valid {
			a.flagged++
		}
		c.Add(r.Label == 1, !res.Valid)
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("\n| class | source | lang | n | flagged | no verdict |\n|---|---|---|---|---|---|\n")
	for _, k := range keys {
		a := rows[k]
		fmt.Fprintf(&b, "| %s | %d | %d (%.1f%%) | %d |\n", k, a.n, a.flagged, 100*float64(a.flagged)/float64(a.n), a.noVerdict)
	}
	fmt.Fprintf(&b, "\nprecision %.3f recall %.3f F1 %.3f FPR %.4f (threshold %.2f)\n", c.Precision(), c.Recall(), c.F1(), c.FPR(), s.cfg.Threshold)
	t.Log(b.String())
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{"hello world, how are you", "asdkfj qwpoeiru", "\xff\xfe abc", "。。。", "a.b.c.d!e?f"} {
		f.Add(s)
	}
	full := scannertest.Must(f, newPlain, DefaultConfig())
	sent := scannertest.Must(f, newPlain, Config{Threshold: 0.5, MatchType: MatchSentence, MinLetters: 3})
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range []*Scanner{full, sent} {
			scannertest.CheckFlagsByFindings(t, s, scanner.Input{Prompt: text})
		}
	})
}

func BenchmarkScan(b *testing.B) {
	text := strings.Repeat("The committee reviewed the budget and approved new library hours. Wie wird das Wetter morgen? ", 12)[:1024]
	for _, mt := range []string{MatchFull, MatchSentence} {
		s := scannertest.Must(b, newPlain, Config{Threshold: 0.5, MatchType: mt, MinLetters: 10})
		b.Run(mt+"/1KB", func(b *testing.B) {
			scannertest.Bench(b, s, scanner.Input{Prompt: text})
		})
	}
}

// newPlain is New without options, in the shape the scannertest helpers take.
func newPlain(c Config) (*Scanner, error) { return New(c) }
