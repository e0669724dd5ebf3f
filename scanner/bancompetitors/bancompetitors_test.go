package bancompetitors

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func cfg(names ...string) Config {
	c := DefaultConfig()
	c.Competitors = names
	return c
}

func TestScan(t *testing.T) {
	c := cfg("Acme Corp", "Globex", "Initech Solutions", "Booking.com", "Umbrella")
	c.Aliases = map[string][]string{"Acme Corp": {"ACME", "Acme Inc"}}
	s := scannertest.MustWith(t, New, c)
	cases := []struct {
		text, sanitized string
		details         []string
	}{
		{"Have you tried Globex? It is cheaper.", "Have you tried [REDACTED]? It is cheaper.", []string{`exact match of competitor "Globex"`}},
		{"acme inc and ACME both sell anvils", "[REDACTED] and [REDACTED] both sell anvils", []string{`"Acme Corp"`, `"Acme Corp"`}},
		{"The globexian empire", "The globexian empire", nil},          // word boundary
		{"Ｇｌｏｂｅｘ is fine", "[REDACTED] is fine", []string{`"Globex"`}}, // fullwidth
		{"Gl0bex rocks", "[REDACTED] rocks", []string{`"Globex"`}},     // leetspeak folded by normalize
		{"Try Initech Solutoins today", "Try [REDACTED] today", []string{`fuzzy match of competitor "Initech Solutions"`}},
		{"Try Initek Solutoins today", "Try Initek Solutoins today", nil}, // 3 edits: too far
		{"book via BOOKING.COM now", "book via [REDACTED] now", []string{`"Booking.com"`}},
		{"Umbrela is misspelt", "[REDACTED] is misspelt", []string{`fuzzy match of competitor "Umbrella"`}},
		{"Nothing to see here.", "Nothing to see here.", nil},
	}
	for _, tc := range cases {
		res := scannertest.Check(t, s, scanner.Input{Prompt: tc.text})
		if res.Valid != (len(tc.details) == 0) || res.Sanitized != tc.sanitized || len(res.Findings) != len(tc.details) {
			t.Errorf("%q: valid %v sanitized %q findings %+v", tc.text, res.Valid, res.Sanitized, res.Findings)
			continue
		}
		for i, f := range res.Findings {
			if !strings.Contains(f.Detail, tc.details[i]) {
				t.Errorf("%q: finding %d detail %q, want %q", tc.text, i, f.Detail, tc.details[i])
			}
		}
	}
}

func TestThresholdAndOptions(t *testing.T) {
	c := cfg("Umbrella")
	c.Threshold = 0.95
	s, _ := New(c)
	if res, _ := s.Scan(context.Background(), scanner.Input{Prompt: "Umbrela"}); !res.Valid {
		t.Error("fuzzy score 1-1/9 must stay under threshold 0.95")
	}
	c = cfg("Umbrella")
	c.Fuzzy, c.Redact = false, false
	s, _ = New(c)
	if res, _ := s.Scan(context.Background(), scanner.Input{Prompt: "Umbrela"}); !res.Valid {
		t.Error("fuzzy off")
	}
	res, _ := s.Scan(context.Background(), scanner.Input{Prompt: "UMBRELLA corp"})
	if res.Valid || res.Sanitized != "UMBRELLA corp" {
		t.Errorf("redact off: %+v", res)
	}
	a, _ := New(cfg("Umbrella"))
	if a.Fingerprint() == s.Fingerprint() {
		t.Error("fingerprint must change with fuzzy/redact")
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigsWith(t, New, []scannertest.BadConfig[Config]{
		{Cfg: DefaultConfig(), Field: "competitors"},
		{Cfg: cfg("ok", "--"), Field: "competitors[1]"},
		{Cfg: Config{Competitors: []string{"a"}, Threshold: 0}, Field: "threshold"},
		{Cfg: Config{Competitors: []string{"a"}, Threshold: 0.5, Aliases: map[string][]string{"b": {"x"}}}, Field: "aliases"},
		{Cfg: Config{Competitors: []string{"a"}, Threshold: 0.5, Aliases: map[string][]string{"a": {""}}}, Field: `aliases["a"][0]`},
		{Cfg: Config{Competitors: []string{"a"}, Threshold: 0.5, Model: "dslim/bert-base-NER", EntityTypes: []string{"ORG"}}, Field: "is configured but not loaded"},
	})
}

func TestConformance(t *testing.T) {
	c := cfg("Paris", "Example", "Cafe", "Previous Instructions Inc")
	s := scannertest.MustWith(t, New, c)
	scannertest.Run(t, s, scannertest.WithInputs("Example.org and example.com and café"))
}

// FuzzScan fuzzes the gazetteer alone and with a (fake) NER model.
func FuzzScan(f *testing.F) {
	plain, err := New(cfg("Globex", "Initech Solutions", "AT&T"))
	if err != nil {
		f.Fatal(err)
	}
	withNER, err := New(modelCfg("Globex", "Initech Solutions", "AT&T"), WithNER(&fakeNER{orgs: []string{"Globex", "AT&T"}, score: 0.8}))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"Globex", "initech solutoins at Globex", "at&t AT&T", "\xff", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range []*Scanner{plain, withNER} {
			scannertest.CheckFlagsByFindings(t, s, scanner.Input{Prompt: text})
		}
	})
}

func BenchmarkScan1KB(b *testing.B) {
	names := []string{"Acme Corporation", "Globex", "Initech Solutions", "Umbrella", "Hooli", "Pied Piper", "Wayne Enterprises", "Stark Industries",
		"Cyberdyne Systems", "Soylent", "Tyrell Corporation", "Wonka Industries", "Oscorp", "Massive Dynamic", "Vandelay Industries", "Dunder Mifflin",
		"Bluth Company", "Gringotts", "Monsters Inc", "Prestige Worldwide"}
	s := scannertest.MustWith(b, New, cfg(names...))
	text := strings.Repeat("Our product beats the rest; ask about Globex pricing and Stark Industries support. ", 13)[:1024]
	scannertest.Bench(b, s, scanner.Input{Prompt: text})
}
