package languagesame

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestScan(t *testing.T) {
	en := "Could you please summarise this quarterly report for the board meeting tomorrow?"
	de := "Hier ist die Zusammenfassung des Quartalsberichts für die Vorstandssitzung morgen."
	ru := "Вот краткое изложение квартального отчёта для завтрашнего заседания совета."
	zh := "这是明天董事会会议的季度报告摘要。"
	cases := []struct {
		name, prompt, output string
		valid                bool
	}{
		{"same_en", en, "Here is the summary of the quarterly report for tomorrow's board meeting.", true},
		{"en_de", en, de, false},
		{"en_ru_script", en, ru, false},
		{"en_zh_script", en, zh, false},
		{"short_answer_no_verdict", en, "Gern!", true},
		{"short_answer_other_script", en, "Да", false},
		{"no_letters", en, "42 🙂", true},
		{"same_ru", "Пожалуйста, кратко изложите квартальный отчёт для совета директоров.", ru, true},
		// Longer than maxDetectBytes: the identifier sees the first 16 KB,
		// cut on a rune boundary.
		{"long_en_de", en, strings.Repeat(de+" ", 250), false},
		{"long_same_ru", ru, strings.Repeat(ru+" ", 150), true},
	}
	s := scannertest.Must(t, New, DefaultConfig())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := scannertest.Check(t, s, scanner.Input{Prompt: c.prompt, Output: c.output, Stage: scanner.StageOutput})
			if res.Valid != c.valid || res.Valid != (res.Risk == 0) {
				t.Errorf("valid %v risk %v findings %+v, want valid %v", res.Valid, res.Risk, res.Findings, c.valid)
			}
		})
	}
	if res, _ := s.Scan(context.Background(), scanner.Input{Prompt: ru}); !res.Valid {
		t.Error("a prompt scan must not be flagged")
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{MinLetters: 5}, Field: "threshold"},
		{Cfg: Config{Threshold: 0.5}, Field: "min_letters"},
	})
	scannertest.DecodesYAML(t, DefaultConfig(), "threshold: 0.3\n", Config{Threshold: 0.3, MinLetters: 20})
	scannertest.FingerprintsDiffer(t, New, DefaultConfig(), Config{Threshold: 0.3, MinLetters: 20}, Config{Threshold: 0.6, MinLetters: 10})
}

func TestConformance(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	scannertest.Run(t, s, scannertest.WithInputs("Привет, как дела? Всё хорошо, спасибо."))
}

func FuzzScan(f *testing.F) {
	f.Add("hello there, how are you today my friend", "Привет")
	f.Add("\xff", "東京")
	s := scannertest.Must(f, New, DefaultConfig())
	f.Fuzz(func(t *testing.T, prompt, output string) {
		scannertest.CheckFlagsByFindings(t, s, scanner.Input{Prompt: prompt, Output: output, Stage: scanner.StageOutput})
	})
}

func BenchmarkScan(b *testing.B) {
	prompt := strings.Repeat("Please summarise the quarterly report for the board. ", 20)[:1024]
	output := strings.Repeat("Hier ist die Zusammenfassung des Quartalsberichts für den Vorstand. ", 16)[:1024]
	s := scannertest.Must(b, New, DefaultConfig())
	scannertest.Bench(b, s, scanner.Input{Prompt: prompt, Output: output, Stage: scanner.StageOutput})
}
