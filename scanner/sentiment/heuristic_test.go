package sentiment

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func newHeuristic(tb testing.TB) *Heuristic {
	tb.Helper()
	h, err := NewHeuristic()
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

var golden = []struct {
	name, text, label string
}{
	{"en_positive", "I love this product, it works great!", LabelPositive},
	{"en_negative", "This is the worst service I have ever had.", LabelNegative},
	{"en_neutral", "The meeting is scheduled for 3 pm on Tuesday.", LabelNeutral},
	{"en_negation_flips", "The food was not good.", LabelNegative},
	{"en_not_bad", "not bad at all", LabelPositive},
	{"en_never_disappointed", "I have never been disappointed by them.", LabelPositive},
	{"en_but_shift", "The plot was boring, but the acting was absolutely brilliant.", LabelPositive},
	{"en_but_shift_neg", "The screen is nice, but the battery is terrible and it crashes constantly.", LabelNegative},
	{"en_emoticon_pos", "See you tomorrow :)", LabelPositive},
	{"en_emoticon_neg", "Missed the train again :(", LabelNegative},
	{"en_emoji_pos", "Got the job 🎉🎉", LabelPositive},
	{"en_emoji_neg", "my phone broke 😭", LabelNegative},
	{"en_idiom", "What a waste of time.", LabelNegative},
	{"en_stretched", "sooooo gooood", LabelPositive},
	{"en_question", "How do I configure the proxy settings?", LabelNeutral},
	{"en_url_not_emoticon", "see http://example.com/docs for details", LabelNeutral},
	{"de_positive", "Das Essen war wirklich großartig!", LabelPositive},
	{"de_negative", "Der Service war schrecklich und das Essen kalt.", LabelNegative},
	{"de_negation", "Das war nicht gut.", LabelNegative},
	{"de_nicht_schlecht", "Gar nicht schlecht.", LabelPositive},
	{"de_aber", "Der Film war langweilig, aber das Ende war toll.", LabelPositive},
	{"de_neutral", "Der Zug fährt um acht Uhr ab.", LabelNeutral},
}

func TestGolden(t *testing.T) {
	h := newHeuristic(t)
	for _, c := range golden {
		t.Run(c.name, func(t *testing.T) {
			a := h.Analyze(c.text)
			if a.Label != c.label {
				t.Errorf("%q: label %s (compound %.3f), want %s", c.text, a.Label, a.Compound, c.label)
			}
			if a.Compound < -1 || a.Compound > 1 || a.Risk != max(0, -a.Compound) {
				t.Errorf("compound %v risk %v", a.Compound, a.Risk)
			}
		})
	}
}

// TestRules checks each rule in isolation by comparing scores.
func TestRules(t *testing.T) {
	h := newHeuristic(t)
	c := func(s string) float64 { return h.Analyze(s).Compound }
	less := func(a, b string) {
		t.Helper()
		if !(c(a) < c(b)) {
			t.Errorf("want compound(%q)=%.4f < compound(%q)=%.4f", a, c(a), b, c(b))
		}
	}
	less("The movie was good.", "The movie was very good.")            // booster
	less("The movie was slightly good.", "The movie was good.")        // diminisher
	less("The movie was kind of good.", "The movie was good.")         // two-word diminisher
	less("The movie was good.", "The movie was GOOD.")                 // caps emphasis
	less("The movie was good.", "The movie was good!!!")               // exclamation
	less("The movie was bad!!!", "The movie was bad.")                 // exclamation strengthens negative
	less("The movie was not good.", "The movie was good.")             // negation
	less("The movie was bad.", "The movie was not bad.")               // negated negative
	less("Great cast, but a bad film.", "Bad cast, but a great film.") // contrast
	// All caps text has no caps emphasis.
	if c("THE MOVIE WAS GOOD") != c("the movie was good") {
		t.Errorf("all-caps text: %v vs %v", c("THE MOVIE WAS GOOD"), c("the movie was good"))
	}
	// Booster words do not count twice: "pretty" boosts, it is not "pretty" (+).
	if c("pretty bad") >= 0 {
		t.Errorf("pretty bad: %v", c("pretty bad"))
	}
	// Negation does not cross sentences.
	if c("No. It is good.") <= 0 {
		t.Errorf("negation crossed a sentence: %v", c("No. It is good."))
	}
}

func TestFindings(t *testing.T) {
	h := newHeuristic(t)
	text := "The hotel was lovely but the staff were rude and the room was not clean."
	a := h.Analyze(text)
	var spans []string
	for _, f := range a.Findings {
		if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
			t.Fatalf("bad span %+v", f)
		}
		if f.Rule != "negative_phrase" || f.Score <= 0 || f.Score > 1 || !strings.HasPrefix(f.Detail, "negative sentiment") {
			t.Errorf("finding %+v", f)
		}
		spans = append(spans, text[f.Start:f.End])
	}
	if strings.Join(spans, "|") != "rude|not clean" {
		t.Errorf("spans %q, want rude and not clean", spans)
	}
	// Lines are tokenised separately (ASCII fast path, normalisation for
	// the rest); spans must still point at the original bytes.
	text = "Good morning.\nDas Café war schrecklich 😡\nThe WORST day"
	a = h.Analyze(text)
	spans = spans[:0]
	for _, f := range a.Findings {
		spans = append(spans, text[f.Start:f.End])
	}
	if strings.Join(spans, "|") != "schrecklich|😡|WORST" {
		t.Errorf("mixed lines: spans %q", spans)
	}
	// Spans point into the original text even when normalisation changed it.
	text = "Ｔｈｉｓ is ＴＥＲＲＩＢＬＥ"
	a = h.Analyze(text)
	if len(a.Findings) != 1 || text[a.Findings[0].Start:a.Findings[0].End] != "ＴＥＲＲＩＢＬＥ" {
		t.Errorf("findings %+v", a.Findings)
	}
}

func TestScanner(t *testing.T) {
	scannertest.RefusesConfigs(t, newHeuristicOnly, []scannertest.BadConfig[float64]{{Cfg: -1.5, Field: "threshold"}, {Cfg: 2, Field: "threshold"}})
	s := scannertest.Must(t, newHeuristicOnly, DefaultConfig().Threshold)
	if s.Name() != "sentiment" || s.Stages() != scanner.StageBoth {
		t.Error("name/stages")
	}
	scannertest.FingerprintsDiffer(t, newHeuristicOnly, DefaultConfig().Threshold, -0.2)
	neg := "This is the worst, most horrible experience. I hate it."
	res := scannertest.Check(t, s, scanner.Input{Prompt: neg})
	if res.Valid || res.Risk < 0.5 || len(res.Findings) == 0 || res.Method != scanner.MethodHeuristic || res.Sanitized != neg {
		t.Errorf("negative text: %+v", res)
	}
	res = scannertest.Check(t, s, scannertest.Answer("Happy to help, have a great day!"))
	if !res.Valid || res.Risk != 0 || len(res.Findings) != 0 {
		t.Errorf("positive text: %+v", res)
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, c := range golden {
		f.Add(c.text)
	}
	f.Add("\xff\xfe\x00:(\x00 not")
	f.Add(":-( :'( </3 >:( ^_^ xD")
	f.Add("not not not never no but but but")
	h := newHeuristic(f)
	f.Fuzz(func(t *testing.T, text string) {
		a := h.Analyze(text)
		if a.Compound < -1 || a.Compound > 1 || a.Compound != a.Compound || a.Risk < 0 || a.Risk > 1 {
			t.Fatalf("compound %v risk %v", a.Compound, a.Risk)
		}
		switch a.Label {
		case LabelPositive, LabelNeutral, LabelNegative:
		default:
			t.Fatalf("label %q", a.Label)
		}
		for _, fd := range a.Findings {
			if fd.Start < 0 || fd.End > len(text) || fd.Start > fd.End || !utf8.ValidString(fd.Detail) {
				t.Fatalf("finding %+v (len %d)", fd, len(text))
			}
		}
	})
}
