package invisibletext

import (
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestScan(t *testing.T) {
	def := DefaultConfig()
	scannertest.Table(t, New, []scannertest.Case[Config]{
		{Name: "clean", Cfg: def, Text: "hello world", Valid: true, Sanitized: "hello world"},
		{Name: "zwsp", Cfg: def, Text: "ig\u200bnore", Sanitized: "ignore", Spans: [][2]int{{2, 5}}},
		{Name: "run", Cfg: def, Text: "a\u200b\u200c\u200db", Sanitized: "ab", Spans: [][2]int{{1, 10}}},
		{Name: "bidi", Cfg: def, Text: "x\u202ey\u202c", Sanitized: "xy", Spans: [][2]int{{1, 4}, {5, 8}}},
		{Name: "bom", Cfg: def, Text: "\ufeffstart", Sanitized: "start", Spans: [][2]int{{0, 3}}},
		{Name: "soft_hyphen", Cfg: def, Text: "soft\u00adware", Sanitized: "software", Spans: [][2]int{{4, 6}}},
		{Name: "tags", Cfg: def, Text: "hi\U000E0041\U000E0042", Sanitized: "hi", Spans: [][2]int{{2, 10}}},
		{Name: "private_use", Cfg: def, Text: "a\ue000b", Sanitized: "ab", Spans: [][2]int{{1, 4}}},
		{Name: "emoji_zwj", Cfg: def, Text: "👨\u200d👩\u200d👧", Valid: true, Sanitized: "👨\u200d👩\u200d👧"},
		{Name: "flag_tags", Cfg: def, Text: "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", Valid: true, Sanitized: "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"},
		{Name: "zwj_not_emoji", Cfg: def, Text: "a\u200db", Sanitized: "ab", Spans: [][2]int{{1, 4}}},
		{Name: "emoji_zwj_kept_off", Cfg: Config{Categories: []string{"Cf"}}, Text: "👨\u200d👩", Sanitized: "👨👩", Spans: [][2]int{{4, 7}}},
		{Name: "control_not_default", Cfg: def, Text: "a\x07b", Valid: true, Sanitized: "a\x07b"},
		{Name: "invalid_utf8_kept", Cfg: def, Text: "a\xffb", Valid: true, Sanitized: "a\xffb"},
		{Name: "empty", Cfg: def, Text: "", Valid: true, Sanitized: ""},
		{Name: "control_only", Cfg: Config{Categories: []string{"Cc"}}, Text: "a\x07b\u200bc\td", Sanitized: "ab\u200bc\td", Spans: [][2]int{{1, 2}}},
		// Co (not flagged), then an unassigned code point.
		{Name: "unassigned_only", Cfg: Config{Categories: []string{"Cn"}}, Text: "a\U0010FFFDb\U000E0FFFc", Sanitized: "a\U0010FFFDbc", Spans: [][2]int{{6, 10}}},
	})
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{}, Field: "categories"},
		{Cfg: Config{Categories: []string{"Zs"}}, Field: "categories[0]"},
	})
	scannertest.DecodesYAML(t, Config{}, "categories: [Cf, Cn]\nallow_emoji_sequences: false\n", Config{Categories: []string{"Cf", "Cn"}})
	scannertest.FingerprintsDiffer(t, New, DefaultConfig(), Config{Categories: []string{"Cf"}, AllowEmojiSequences: true}, Config{Categories: []string{"Cf", "Co"}})
}

func TestConformance(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	scannertest.Run(t, s, scannertest.WithInputs("zero\u200bwidth", "\U000E0049\U000E0047"))
}

func BenchmarkScan(b *testing.B) {
	s := scannertest.Must(b, New, DefaultConfig())
	scannertest.Bench(b, s, scanner.Input{Prompt: strings.Repeat("The quick brown fox jumps over the lazy dog. Ünïcödé text here. ", 5000)})
}
