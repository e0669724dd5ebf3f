package norefusal

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestVerdicts(t *testing.T) {
	s := scannertest.MustWith(t, New, DefaultConfig())
	// Refusals are invalid.
	scannertest.Verdicts(t, s, map[string]bool{
		"I'm sorry, but I can't help with that request. It could cause serious harm.":                      false,
		"I cannot assist with creating malware. Is there anything else I can help you with?":               false,
		"Es tut mir leid, aber dabei kann ich dir nicht helfen.":                                           false,
		"Lo siento, pero no puedo proporcionar esa información.":                                           false,
		"抱歉，我无法提供这方面的信息。":                                                                                  false,
		"Sure! Here's a simple recipe: mix flour, water and yeast, knead, let it rise and bake at 230 °C.": true,
		"Unfortunately, the museum is closed on Mondays, so plan your visit for Tuesday.":                  true,
		"The derivative of x squared is 2x.":                                                               true,
		"Gerne! Berlin ist die Hauptstadt von Deutschland.":                                                true,
	}, nil)
}

func TestSentenceMode(t *testing.T) {
	text := strings.Repeat("Paris is the capital of France and has many museums. ", 30) + "\nI'm sorry, but I can't help with that request."
	full := scannertest.MustWith(t, New, DefaultConfig())
	sent := scannertest.MustWith(t, New, Config{Threshold: 0.75, MatchType: "SENTENCE"})
	rf, _ := full.Scan(context.Background(), scannertest.Answer(text))
	rs, _ := sent.Scan(context.Background(), scannertest.Answer(text))
	if !rf.Valid {
		t.Errorf("full mode reads only the first 1024 bytes and must pass this text (risk %.3f)", rf.Risk)
	}
	if rs.Valid || len(rs.Findings) != 1 {
		t.Fatalf("sentence mode missed the late refusal: %+v", rs)
	}
	if f := rs.Findings[0]; !strings.Contains(text[f.Start:f.End], "can't help") {
		t.Errorf("finding span %q", text[f.Start:f.End])
	}
	if full.Fingerprint() == sent.Fingerprint() {
		t.Error("fingerprint must depend on match_type")
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigsWith(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{Threshold: 0, MatchType: MatchFull}, Field: "threshold"},
		{Cfg: Config{Threshold: 1, MatchType: MatchFull}, Field: "threshold"},
		{Cfg: Config{Threshold: 0.5, MatchType: "chunks"}, Field: "match_type"},
		{Cfg: Config{Threshold: 0.5, Model: "ProtectAI/distilroberta-base-rejection-v1"}, Field: `model: "ProtectAI/distilroberta-base-rejection-v1" is configured but not loaded`},
	})
}

func TestModelDecoding(t *testing.T) {
	if len(modelBin) > 1<<20 {
		t.Errorf("model is %d bytes, over the 1 MiB budget", len(modelBin))
	}
	m, err := DecodeModel(modelBin)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := DecodeModel(m.Encode()); err != nil || again.Bias != m.Bias {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("junk"), modelBin[:len(modelBin)-4], append([]byte("XXXXXXXX"), modelBin[8:]...)} {
		if _, err := DecodeModel(bad); err == nil {
			t.Errorf("DecodeModel accepted %d bad bytes", len(bad))
		}
	}
	nan := append([]byte{}, modelBin...)
	copy(nan[len(nan)-4:], []byte{0, 0, 0xc0, 0x7f})
	if _, err := DecodeModel(nan); err == nil {
		t.Error("NaN weight accepted")
	}
}

func TestConformance(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), {Threshold: 0.5, MatchType: MatchSentence}} {
		scannertest.Run(t, scannertest.MustWith(t, New, cfg), scannertest.WithInputs("I'm sorry, but I can't help with that.", "抱歉，我无法提供"))
	}
}

func FuzzScan(f *testing.F) {
	s := scannertest.MustWith(f, New, Config{Threshold: 0.75, MatchType: MatchSentence})
	for _, seed := range []string{"I'm sorry, but I can't", "抱歉，我无法。", "\xff\xfe.", "a.b!c?d\n", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		scannertest.CheckFlagsFrom(t, s, scannertest.Answer(text), 0.75)
	})
}

var oneKB = strings.Repeat("The library opens at nine and closes at six; members may borrow ten books. ", 14)[:1024]

func BenchmarkScan1KB(b *testing.B) {
	for _, mt := range []string{MatchFull, MatchSentence} {
		b.Run(mt, func(b *testing.B) {
			s := scannertest.MustWith(b, New, Config{Threshold: 0.75, MatchType: mt})
			in := scannertest.Answer(oneKB)
			scannertest.Bench(b, s, in)
		})
	}
}
