package emotiondetection

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestScores(t *testing.T) {
	s := scannertest.MustWith(t, New, DefaultConfig())
	for text, want := range map[string]string{
		"I am so angry and furious right now!":        "anger",
		"Thank you so much, I really appreciate it 🙏": "gratitude",
		"This is disgusting, eww.":                    "disgust",
		"I'm terrified and scared of the dark.":       "fear",
		"My grandmother passed away, rest in peace.":  "grief",
		"lol that was hilarious 😂":                    "amusement",
		"I am so happy and delighted today!":          "joy",
		"I feel sad and lonely, I cry every night.":   "sadness",
		"The meeting is at 10 am in room 4.":          "neutral",
	} {
		sc := s.Scores(text)
		best, bs := "", -1.0
		for l, v := range sc {
			if v > bs || (v == bs && l < best) {
				best, bs = l, v
			}
		}
		if best != want {
			t.Errorf("%q: top %s %.2f, want %s (%.2f)", text, best, bs, want, sc[want])
		}
	}
	if sc := s.Scores("I am not happy at all."); sc["joy"] != 0 {
		t.Errorf("negated joy scored %.2f", sc["joy"])
	}
}

func TestScan(t *testing.T) {
	s := scannertest.MustWith(t, New, DefaultConfig())
	scannertest.Verdicts(t, s, map[string]bool{
		"I hate this, I'm furious.":           false,
		"Thanks, this is wonderful!":          true, // positive emotions are not blocked by default
		"The train leaves at nine.":           true,
		"I'm so sorry, I regret what I said.": false, // remorse
	}, nil)
	joy := scannertest.MustWith(t, New, Config{Threshold: 0.5, BlockedEmotions: []string{"JOY"}, MatchType: "sentence"})
	text := "The weather report is long. I am so happy and glad!"
	res, _ := joy.Scan(context.Background(), scanner.Input{Prompt: text})
	if res.Valid || len(res.Findings) != 1 || res.Findings[0].Rule != "joy" || !strings.HasPrefix(text[res.Findings[0].Start:], " I am") {
		t.Errorf("sentence mode: %+v", res)
	}
	if joy.Fingerprint() == s.Fingerprint() {
		t.Error("fingerprint must depend on blocked emotions and match type")
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigsWith(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{Threshold: 0, BlockedEmotions: []string{"anger"}}, Field: "threshold"},
		{Cfg: Config{Threshold: 0.5}, Field: "blocked_emotions"},
		{Cfg: Config{Threshold: 0.5, BlockedEmotions: []string{"anger", "rage"}}, Field: `blocked_emotions[1]: unknown emotion "rage"`},
		{Cfg: Config{Threshold: 0.5, BlockedEmotions: []string{"anger"}, MatchType: "chunks"}, Field: "match_type"},
		{Cfg: Config{Threshold: 0.5, BlockedEmotions: []string{"anger"}, Model: "SamLowe/roberta-base-go_emotions"}, Field: `model: "SamLowe/roberta-base-go_emotions" is configured but not loaded`},
		{Cfg: Config{Threshold: 0.5, BlockedEmotions: []string{"anger", " "}, Model: "SamLowe/roberta-base-go_emotions"}, Field: "blocked_emotions[1]: empty"},
	})
}

func TestConformance(t *testing.T) {
	for _, c := range []Config{DefaultConfig(), {Threshold: 0.3, BlockedEmotions: []string{"anger", "joy"}, MatchType: MatchSentence}} {
		scannertest.Run(t, scannertest.MustWith(t, New, c), scannertest.WithInputs("I hate this and I'm furious 😡. Thanks though!"))
	}
}

func FuzzScan(f *testing.F) {
	s := scannertest.MustWith(f, New, Config{Threshold: 0.5, BlockedEmotions: DefaultBlocked(), MatchType: MatchSentence})
	f.Add("I am not happy. I hate it!")
	f.Add("\xff😡 ! ?")
	f.Fuzz(func(t *testing.T, text string) {
		scannertest.CheckFlagsFrom(t, s, scanner.Input{Prompt: text}, 0.5)
	})
}

func BenchmarkScan1KB(b *testing.B) {
	text := strings.Repeat("The library opens at nine and closes at six; members may borrow ten books, thanks! ", 13)[:1024]
	for _, mt := range []string{MatchFull, MatchSentence} {
		b.Run(mt, func(b *testing.B) {
			s := scannertest.MustWith(b, New, Config{Threshold: 0.5, BlockedEmotions: DefaultBlocked(), MatchType: mt})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Scan(context.Background(), scanner.Input{Prompt: text}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
