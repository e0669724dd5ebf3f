package norefusallight

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestRefusalsInManyLanguages(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	refusals := map[string]string{
		"en":       "I'm sorry, but I can't help with that request.",
		"en_curly": "I’m sorry, but I can’t help with that.",
		"en_ai":    "As an AI language model, I do not have opinions on this.",
		"en_caps":  "I CANNOT ASSIST WITH THAT.",
		"en_weak2": "I apologize. Unfortunately, I cannot do this for you.",
		"de":       "Es tut mir leid, aber ich kann dabei nicht helfen.",
		"fr":       "Je suis désolé, mais je ne peux pas répondre à cette demande.",
		"es":       "Lo siento, pero no puedo ayudarte con eso.",
		"it":       "Mi dispiace, ma non posso aiutarti con questa richiesta.",
		"pt":       "Desculpe, mas não posso ajudar com isso.",
		"nl":       "Het spijt me, maar ik kan je daar niet mee helpen.",
		"zh":       "抱歉，我无法提供这方面的帮助。",
		"zh_fw":    "对不起，我不能帮助你做这件事。",
		"ja":       "申し訳ありませんが、そのご要望にはお答えできません。",
		"ru":       "Извините, но я не могу помочь с этим запросом.",
		"ko":       "죄송하지만 그 요청은 도와드릴 수 없습니다.",
		"late":     strings.Repeat("Here is some background on the topic. ", 30) + "However, I cannot provide instructions for that part.",
	}
	for name, text := range refusals {
		res := scannertest.Check(t, s, scannertest.Answer(text))
		if res.Valid || len(res.Findings) == 0 {
			t.Errorf("%s: %q not flagged (risk %v)", name, text, res.Risk)
		}
		for _, f := range res.Findings {
			if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
				t.Errorf("%s: bad span %d-%d", name, f.Start, f.End)
			}
		}
	}
}

func TestCompliantAnswersPass(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	for _, text := range []string{
		"Sure! Here is a recipe for banana bread: mix flour, sugar and mashed bananas, then bake for 60 minutes.",
		"I'm sorry to hear that you're feeling unwell. Rest, drink fluids and see a doctor if the fever persists.",
		"Paris is the capital of France. " + strings.Repeat("It has many museums. ", 20) + "I cannot stress enough how good the food is.",
		"Die Hauptstadt von Deutschland ist Berlin.",
		"La capital de España es Madrid.",
		"You cannot divide by zero; the result is undefined.",
		"Scanning software (e.g. i cannotation) is a made-up word here: icannot.",
		"",
	} {
		res := scannertest.Check(t, s, scannertest.Answer(text))
		if !res.Valid {
			t.Errorf("%q flagged (risk %v, findings %+v)", text, res.Risk, res.Findings)
		}
	}
}

func TestSpansPointAtOriginal(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	text := "Ok. Ｉ　ｃａｎｎｏｔ ａｓｓｉｓｔ ｗｉｔｈ that."
	res, _ := s.Scan(context.Background(), scannertest.Answer(text))
	if res.Valid {
		t.Fatal("fullwidth refusal not flagged")
	}
	found := false
	for _, f := range res.Findings {
		if strings.HasPrefix(text[f.Start:f.End], "Ｉ") && strings.HasSuffix(text[f.Start:f.End], "ｗｉｔｈ") {
			found = true
		}
	}
	if !found {
		t.Errorf("no finding spanning the fullwidth phrase: %+v", res.Findings)
	}
}

func TestCustomSubstrings(t *testing.T) {
	s := scannertest.Must(t, New, Config{Substrings: []string{"Computer says no"}, Threshold: 0.5})
	text := strings.Repeat("Lorem ipsum dolor. ", 40) + "computer SAYS no"
	res, _ := s.Scan(context.Background(), scannertest.Answer(text))
	if res.Valid || res.Risk != 1 {
		t.Errorf("custom phrase: valid %v risk %v", res.Valid, res.Risk)
	}
	res, _ = s.Scan(context.Background(), scannertest.Answer("I'm sorry, but I can't help with that."))
	if !res.Valid {
		t.Error("custom list must replace the built-in one")
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{Threshold: 0}, Field: "threshold"},
		{Cfg: Config{Threshold: 1.5}, Field: "threshold"},
		{Cfg: Config{Threshold: 0.5, Substrings: []string{"ok", "  "}}, Field: "substrings[1]"},
		{Cfg: Config{Threshold: 0.5, Substrings: []string{"\xff"}}, Field: "substrings[0]"},
	})
	scannertest.FingerprintsDiffer(t, New, DefaultConfig(), Config{Threshold: 0.6}, Config{Threshold: 0.5, Substrings: []string{"no way"}})
}

func TestConformance(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	scannertest.Run(t, s, scannertest.WithInputs("I'm sorry, but I can't help with that.", "抱歉，我无法提供"))
}

func FuzzScan(f *testing.F) {
	s := scannertest.Must(f, New, DefaultConfig())
	for _, seed := range []string{"I'm sorry, but I can't", "抱歉，我无法", "\xff\xfe", "Ｉ ｃａｎ’ｔ", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		scannertest.CheckFlagsFrom(t, s, scannertest.Answer(text), 0.5)
	})
}

// oneKB is a 1 KB compliant answer that ends in a refusal-like sentence.
var oneKB = func() string {
	b := strings.Repeat("The library opens at nine and closes at six; members may borrow ten books. ", 14)
	return b[:1000] + " I can't"
}()

func BenchmarkScan1KB(b *testing.B) {
	s := scannertest.Must(b, New, DefaultConfig())
	in := scannertest.Answer(oneKB)
	scannertest.Bench(b, s, in)
}
