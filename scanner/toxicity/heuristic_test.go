package toxicity

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

type goldenCase struct {
	Name     string `json:"name"`
	Text     string `json:"text"`
	Want     string `json:"want"`     // "flag" or "pass"
	Category string `json:"category"` // a category that must fire for "flag" cases
}

func loadGolden(tb testing.TB) []goldenCase {
	return scannertest.ReadJSON[[]goldenCase](tb, "testdata/golden.json")
}

// newScanner returns the default scanner without its model.
func newScanner(tb testing.TB) *Scanner {
	return scannertest.Must(tb, newHeuristicOnly, DefaultConfig().Threshold)
}

func TestGolden(t *testing.T) {
	s := newScanner(t)
	for _, c := range loadGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			res := scannertest.Check(t, s, scanner.Input{Prompt: c.Text})
			if flagged := !res.Valid; flagged != (c.Want == "flag") {
				t.Errorf("want %s, got risk %.3f findings %v", c.Want, res.Risk, res.Findings)
			}
			if res.Method != scanner.MethodHeuristic || res.Sanitized != c.Text {
				t.Errorf("method %v sanitized %q", res.Method, res.Sanitized)
			}
			if c.Category != "" && c.Want == "flag" {
				a := s.Heuristic().Analyze(c.Text)
				if a.Categories[c.Category] < 0.5 {
					t.Errorf("category %s below 0.5; categories %v", c.Category, a.Categories)
				}
			}
		})
	}
}

// TestFindingsDoNotRepeatWords checks that details name the category and
// rule but never the offensive word, and that spans cover the original
// (obfuscated) spelling.
func TestFindingsDoNotRepeatWords(t *testing.T) {
	h, err := NewHeuristic()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text     string
		wantSpan []string
	}{
		{"well f*ck that", []string{"f*ck"}},
		{"You are a stupid, worthless idiot.", []string{"stupid", "worthless", "You are a stupid, worthless idiot"}},
		{"Ich bring dich um!", []string{"Ich bring dich um"}},
		{"what a fuuuuck", []string{"fuuuuck"}},
		{"ｆｕｃｋ", []string{"ｆｕｃｋ"}},
		{"sh1t happens", []string{"sh1t"}},
	}
	for _, tt := range tests {
		a := h.Analyze(tt.text)
		var spans []string
		for _, f := range a.Findings {
			if f.Start < 0 || f.End > len(tt.text) || f.Start >= f.End {
				t.Fatalf("%q: bad span %+v", tt.text, f)
			}
			spans = append(spans, tt.text[f.Start:f.End])
			low := strings.ToLower(f.Detail)
			for _, w := range []string{"fuck", "idiot", "stupid", "worthless", "shit", "bring", "ｆｕｃｋ"} {
				if strings.Contains(low, w) {
					t.Errorf("%q: detail %q repeats a matched word", tt.text, f.Detail)
				}
			}
			if !strings.Contains(f.Rule, ".") {
				t.Errorf("rule %q is not category.name", f.Rule)
			}
		}
		for _, w := range tt.wantSpan {
			found := false
			for _, s := range spans {
				found = found || strings.Contains(s, w) || strings.Contains(w, s) && s == w
			}
			if !found {
				t.Errorf("%q: no finding spans %q; spans %q", tt.text, w, spans)
			}
		}
	}
}

func TestCategoriesAndRisk(t *testing.T) {
	h, err := NewHeuristic()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string // categories that must be present
	}{
		{"I will kill you, you worthless bitch", []string{CategoryThreat, CategoryInsult, CategorySevere}},
		{"kill all muslims", []string{CategoryIdentityAttack, CategorySevere}},
		{"damn", nil},
		{"", nil},
	}
	for _, tt := range tests {
		a := h.Analyze(tt.text)
		var got []string
		for _, c := range tt.want {
			if a.Categories[c] > 0 {
				got = append(got, c)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q categories (-want +got):\n%s (all: %v)", tt.text, diff, a.Categories)
		}
		if a.Risk < 0 || a.Risk > 1 {
			t.Errorf("%q: risk %v", tt.text, a.Risk)
		}
		for c, s := range a.Categories {
			if s <= 0 || s > 1 || s > a.Risk+1e-9 && c != CategorySevere {
				t.Errorf("%q: category %s score %v, risk %v", tt.text, c, s, a.Risk)
			}
		}
	}
	// Mild words alone stay below the threshold; "damn" counts but does not flag.
	if a := h.Analyze("damn, I missed the bus"); a.Risk >= 0.5 || a.Categories[CategoryProfanity] == 0 {
		t.Errorf("mild profanity: %+v", a)
	}
	// Repeating a word does not raise the score.
	one, many := h.Analyze("idiot"), h.Analyze(strings.Repeat("idiot ", 50))
	if one.Risk != many.Risk {
		t.Errorf("repetition changed risk: %v vs %v", one.Risk, many.Risk)
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, newHeuristicOnly, []scannertest.BadConfig[float64]{{Cfg: 0, Field: "threshold"}, {Cfg: -1, Field: "threshold"}, {Cfg: 1.5, Field: "threshold"}})
	a := newScanner(t)
	if a.Fingerprint() != newScanner(t).Fingerprint() {
		t.Error("fingerprint not stable")
	}
	scannertest.FingerprintsDiffer(t, newHeuristicOnly, DefaultConfig().Threshold, 0.7)
	if a.Name() != "toxicity" || a.Stages() != scanner.StageBoth {
		t.Error("name/stages")
	}
}

func TestMaskMatch(t *testing.T) {
	tests := []struct {
		p, k string
		want bool
	}{
		{"f*ck", "fuck", true},
		{"f*k", "fuck", true},
		{"f*ing", "fucking", true},
		{"sh!t", "shit", true},
		{"f*ck", "fucking", false},
		{"a*hole", "asshole", true},
		{"x*y", "fuck", false},
	}
	for _, tt := range tests {
		if got := maskMatch(tt.p, tt.k); got != tt.want {
			t.Errorf("maskMatch(%q, %q) = %v", tt.p, tt.k, got)
		}
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, c := range loadGolden(f) {
		f.Add(c.Text)
	}
	f.Add("\xff\xfe\x00f*\x00ck you")
	f.Add("f*!#%k ***")
	f.Add("you you you are are a a a")
	s := newScanner(f)
	f.Fuzz(func(t *testing.T, text string) {
		res := scannertest.CheckFlagsFrom(t, s, scanner.Input{Prompt: text}, 0.5)
		for _, fd := range res.Findings {
			if !utf8.ValidString(fd.Detail) {
				t.Fatalf("detail not UTF-8")
			}
		}
	})
}
