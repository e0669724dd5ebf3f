package invisibletext

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestScan(t *testing.T) {
	cases := []struct {
		name, text, sanitized string
		valid                 bool
		spans                 [][2]int
	}{
		{"clean", "hello world", "hello world", true, nil},
		{"zwsp", "ig\u200bnore", "ignore", false, [][2]int{{2, 5}}},
		{"run", "a\u200b\u200c\u200db", "ab", false, [][2]int{{1, 10}}},
		{"bidi", "x\u202ey\u202c", "xy", false, [][2]int{{1, 4}, {5, 8}}},
		{"bom", "\ufeffstart", "start", false, [][2]int{{0, 3}}},
		{"soft_hyphen", "soft\u00adware", "software", false, [][2]int{{4, 6}}},
		{"tags", "hi\U000E0041\U000E0042", "hi", false, [][2]int{{2, 10}}},
		{"private_use", "a\ue000b", "ab", false, [][2]int{{1, 4}}},
		{"emoji_zwj", "👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧", true, nil},
		{"flag_tags", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", true, nil},
		{"zwj_not_emoji", "a\u200db", "ab", false, [][2]int{{1, 4}}},
		{"control_not_default", "a\x07b", "a\x07b", true, nil},
		{"invalid_utf8_kept", "a\xffb", "a\xffb", true, nil},
		{"empty", "", "", true, nil},
	}
	s := scannertest.Must(t, New, DefaultConfig())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := s.Scan(context.Background(), scanner.Input{Prompt: c.text})
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid != c.valid || res.Sanitized != c.sanitized {
				t.Errorf("valid %v sanitized %q, want %v %q", res.Valid, res.Sanitized, c.valid, c.sanitized)
			}
			var spans [][2]int
			for _, f := range res.Findings {
				spans = append(spans, [2]int{f.Start, f.End})
			}
			if d := cmp.Diff(c.spans, spans); d != "" {
				t.Errorf("spans (-want +got):\n%s", d)
			}
			if (res.Risk == 1) == c.valid {
				t.Errorf("risk %v for valid=%v", res.Risk, c.valid)
			}
		})
	}
}

func TestCategories(t *testing.T) {
	s := scannertest.Must(t, New, Config{Categories: []string{"Cc"}})
	res, _ := s.Scan(context.Background(), scanner.Input{Prompt: "a\x07b\u200bc\td"})
	if res.Sanitized != "ab\u200bc\td" || res.Valid {
		t.Errorf("Cc only: %+v", res)
	}
	s, _ = New(Config{Categories: []string{"Cn"}})
	res, _ = s.Scan(context.Background(), scanner.Input{Prompt: "a\U0010FFFDb\U000E0FFFc"}) // Co (not flagged), then unassigned
	if res.Sanitized != "a\U0010FFFDbc" {
		t.Errorf("Cn only: %q", res.Sanitized)
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []Config{{}, {Categories: []string{"Zs"}}} {
		if _, err := New(c); err == nil || !strings.Contains(err.Error(), "categories") {
			t.Errorf("%+v: err %v, want one naming categories", c, err)
		}
	}
	var c Config
	scannertest.DecodeYAML(t, "categories: [Cf, Cn]\nallow_emoji_sequences: false\n", &c)
	if d := cmp.Diff(Config{Categories: []string{"Cf", "Cn"}}, c); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	dec := yaml.NewDecoder(bytes.NewReader([]byte("categorys: [Cf]\n")))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err == nil {
		t.Error("unknown field accepted")
	}
	a, _ := New(DefaultConfig())
	b, _ := New(Config{Categories: []string{"Cf"}, AllowEmojiSequences: true})
	if a.Fingerprint() == b.Fingerprint() {
		t.Error("fingerprint ignores categories")
	}
}

func TestConformance(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	scannertest.Run(t, s, scannertest.WithInputs("zero\u200bwidth", "\U000E0049\U000E0047"))
}

func BenchmarkScan(b *testing.B) {
	s, _ := New(DefaultConfig())
	text := strings.Repeat("The quick brown fox jumps over the lazy dog. Ünïcödé text here. ", 5000)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.Scan(context.Background(), scanner.Input{Prompt: text})
	}
}
