package langid

import "testing"

func TestScriptAndLanguage(t *testing.T) {
	for _, c := range []struct {
		text, script, lang string
	}{
		{"The committee reviewed the budget and approved new library hours.", "Latin", "en"},
		{"Der Ausschuss prüfte den Haushalt und genehmigte neue Öffnungszeiten.", "Latin", "de"},
		// whatlanggo calls some short Russian sentences Macedonian (accuracy
		// is measured in scanner/language/README.md); this one it gets right.
		{"Это очень интересная книга, которую я прочитал вчера вечером.", "Cyrillic", "ru"},
		{"委员会审查了预算并批准了图书馆的新开放时间。", "Han", "zh"},
		{"委員会は予算を審査し、図書館の新しい開館時間を承認しました。", "Kana", "ja"},
		{"위원회는 예산을 검토하고 도서관의 새 운영 시간을 승인했습니다.", "Hangul", "ko"},
		{"1234 !!! 🙂", "", ""},
	} {
		r := Detect(c.text)
		script := ""
		if r.Script != nil {
			script = r.Script.Name
		}
		if script != c.script || r.Lang != c.lang {
			t.Errorf("%q: script %q lang %q, want %q %q", c.text, script, r.Lang, c.script, c.lang)
		}
	}
	for code, want := range map[string]bool{"en": true, "zh": true, "ja": true, "he": true, "sw": false, "xx": false, "": false} {
		if Supported(code) != want {
			t.Errorf("Supported(%q) = %v", code, !want)
		}
	}
}
