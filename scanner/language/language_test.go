package language

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/datasets"
	"github.com/llmshield/llmshield/internal/langid"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func cfg(langs ...string) Config {
	c := DefaultConfig()
	c.ValidLanguages = langs
	return c
}

func TestScan(t *testing.T) {
	cases := []struct {
		name  string
		valid []string
		text  string
		ok    bool
	}{
		{"english_allowed", []string{"en"}, "Could you please summarise this quarterly report for the board meeting tomorrow?", true},
		{"german_not_allowed", []string{"en"}, "Könnten Sie bitte diesen Quartalsbericht für die Vorstandssitzung morgen zusammenfassen?", false},
		{"german_allowed", []string{"en", "de"}, "Könnten Sie bitte diesen Quartalsbericht für die Vorstandssitzung morgen zusammenfassen?", true},
		{"french_not_allowed", []string{"en", "de"}, "Pourriez-vous résumer ce rapport trimestriel pour la réunion du conseil de demain ?", false},
		{"short_latin_no_verdict", []string{"en"}, "Danke schön!", true},
		{"short_cyrillic_script_rule", []string{"en"}, "Привет!", false},
		{"russian_allowed", []string{"ru"}, "Пожалуйста, кратко изложите этот квартальный отчёт для завтрашнего заседания.", true},
		{"chinese_not_allowed", []string{"en"}, "请为明天的董事会总结这份季度报告。", false},
		{"chinese_allowed", []string{"zh"}, "请为明天的董事会总结这份季度报告。", true},
		{"japanese_allowed", []string{"ja"}, "明日の取締役会のためにこの四半期報告書を要約してください。", true},
		{"japanese_not_zh", []string{"zh"}, "明日の取締役会のためにこの四半期報告書を要約してください。", false},
		{"no_letters", []string{"en"}, "1234 5678 !!! 🙂", true},
		{"empty", []string{"en"}, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := scannertest.Must(t, newPlain, cfg(c.valid...)).Scan(context.Background(), scanner.Input{Prompt: c.text})
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid != c.ok {
				t.Errorf("valid %v (findings %+v), want %v", res.Valid, res.Findings, c.ok)
			}
			if res.Valid != (res.Risk == 0) {
				t.Errorf("risk %v with valid %v", res.Risk, res.Valid)
			}
		})
	}
	text := "Please summarise the attached quarterly report for the board. Bitte fassen Sie auch den beigefügten Jahresbericht für den Vorstand zusammen."
	full, _ := scannertest.Must(t, newPlain, cfg("en")).Scan(context.Background(), scanner.Input{Prompt: text})
	c := cfg("en")
	c.MatchType = MatchSentence
	sent, _ := scannertest.Must(t, newPlain, c).Scan(context.Background(), scanner.Input{Prompt: text})
	if sent.Valid || len(sent.Findings) != 1 || !strings.HasPrefix(text[sent.Findings[0].Start:], " Bitte") {
		t.Errorf("sentence mode: valid %v findings %+v (full mode valid %v)", sent.Valid, sent.Findings, full.Valid)
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, newPlain, []scannertest.BadConfig[Config]{
		{Cfg: DefaultConfig(), Field: "valid_languages"},
		{Cfg: cfg("en", "xx"), Field: "valid_languages[1]"},
		{Cfg: Config{ValidLanguages: []string{"en"}, MatchType: MatchFull, MinLetters: 5}, Field: "threshold"},
		{Cfg: Config{ValidLanguages: []string{"en"}, Threshold: 0.5, MatchType: "chunks", MinLetters: 5}, Field: "match_type"},
		{Cfg: Config{ValidLanguages: []string{"en"}, Threshold: 0.5, MatchType: MatchFull}, Field: "min_letters"},
	})
	scannertest.DecodesYAML(t, DefaultConfig(), "valid_languages: [en, fr]\nthreshold: 0.7\nmatch_type: sentence\n", Config{ValidLanguages: []string{"en", "fr"}, Threshold: 0.7, MatchType: MatchSentence, MinLetters: 20})
	if scannertest.Must(t, newPlain, cfg("en")).Fingerprint() == scannertest.Must(t, newPlain, cfg("en", "fr")).Fingerprint() {
		t.Error("fingerprint must change with valid_languages")
	}
	if scannertest.Must(t, newPlain, cfg("fr", "en")).Fingerprint() != scannertest.Must(t, newPlain, cfg("en", "fr")).Fingerprint() {
		t.Error("fingerprint must not depend on the order of valid_languages")
	}
}

func TestConformance(t *testing.T) {
	scannertest.Run(t, scannertest.Must(t, newPlain, cfg("en")), scannertest.WithInputs("Привет, как дела? Всё хорошо."))
	c := cfg("de", "fr")
	c.MatchType = MatchSentence
	scannertest.Run(t, scannertest.Must(t, newPlain, c))
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{"hello there my friend how are you", "Привет", "こんにちは。", "\xff\xfe", "a. b. c."} {
		f.Add(s)
	}
	s := scannertest.Must(f, newPlain, cfg("en"))
	c := cfg("en", "ru")
	c.MatchType = MatchSentence
	ss := scannertest.Must(f, newPlain, c)
	f.Fuzz(func(t *testing.T, text string) {
		for _, sc := range []*Scanner{s, ss} {
			scannertest.CheckFlagsByFindings(t, sc, scanner.Input{Prompt: text})
		}
	})
}

// TestHeldOutTable prints, per language and for short (< 50 characters)
// and long texts, the identification accuracy of langid.Detect and the
// scanner's behaviour on training/work/lang_eval.jsonl (written by
// training/gibberish/lang_eval.py; skipped when absent):
//
//	LLMSHIELD_EVAL=1 go test ./scanner/language -run TestHeldOutTable -v -timeout 30m
//
// pass: allowed = [its language], share not flagged; catch: allowed = a
// language of another script family ("en", or "de" for English texts),
// share flagged.
func TestHeldOutTable(t *testing.T) {
	held := datasets.HeldOut[struct{ Source, Lang, Text string }](t, filepath.Join("..", "..", "training", "work", "lang_eval.jsonl"),
		"cd training/gibberish && python3 lang_eval.py")
	type agg struct{ n, id, pass, catch int }
	type key struct {
		lang  string
		short bool
	}
	rows := map[key]*agg{}
	scanners := map[string]*Scanner{}
	get := func(l string) *Scanner {
		if s, ok := scanners[l]; ok {
			return s
		}
		s, err := New(cfg(l))
		if err != nil {
			s = nil
		}
		scanners[l] = s
		return s
	}
	for _, r := range held {
		own := get(r.Lang)
		if own == nil {
			continue // a language whatlanggo does not know
		}
		other := get("en")
		if r.Lang == "en" {
			other = get("de")
		}
		for _, k := range []key{{r.Lang, utf8.RuneCountInString(r.Text) < 50}, {"ALL", utf8.RuneCountInString(r.Text) < 50}} {
			a := rows[k]
			if a == nil {
				a = &agg{}
				rows[k] = a
			}
			a.n++
			if langid.Detect(r.Text).Lang == r.Lang {
				a.id++
			}
			if res, _ := own.Scan(context.Background(), scanner.Input{Prompt: r.Text}); res.Valid {
				a.pass++
			}
			if res, _ := other.Scan(context.Background(), scanner.Input{Prompt: r.Text}); !res.Valid {
				a.catch++
			}
		}
	}
	var keys []key
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].lang != keys[j].lang {
			return keys[i].lang < keys[j].lang
		}
		return keys[i].short
	})
	pct := func(a, n int) string { return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(max(n, 1))) }
	var b strings.Builder
	b.WriteString("\n| lang | length | n | identified | pass (own language allowed) | catch (other language allowed) |\n|---|---|---|---|---|---|\n")
	for _, k := range keys {
		a := rows[k]
		l := "long"
		if k.short {
			l = "short"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s |\n", k.lang, l, a.n, pct(a.id, a.n), pct(a.pass, a.n), pct(a.catch, a.n))
	}
	t.Log(b.String())
}

func BenchmarkScan(b *testing.B) {
	text := strings.Repeat("The committee reviewed the budget and approved new library hours. Wie wird das Wetter morgen? ", 12)[:1024]
	for _, mt := range []string{MatchFull, MatchSentence} {
		c := cfg("en", "de")
		c.MatchType = mt
		s := scannertest.Must(b, newPlain, c)
		b.Run(mt+"/1KB", func(b *testing.B) {
			scannertest.Bench(b, s, scanner.Input{Prompt: text})
		})
	}
}

// newPlain is New without options, in the shape the scannertest helpers take.
func newPlain(c Config) (*Scanner, error) { return New(c) }
