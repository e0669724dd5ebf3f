package langid

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abadojack/whatlanggo"

	"github.com/llmshield/llmshield/internal/sentence"
)

// sameAsWhatlanggo reports whether detect(text) equals whatlanggo.Detect(text).
// When they differ it asks whatlanggo again: languages at exactly equal
// distances come out of it in random (map) order, so a tie shows as
// whatlanggo giving our answer on another call. A tie between the two best
// languages always has confidence 0 (no verdict for the scanners, whose
// threshold is above 0), so two answers at confidence 0 are the same.
func sameAsWhatlanggo(text string) (ours, theirs whatlanggo.Info, ok bool) {
	eq := func(a, b whatlanggo.Info) bool {
		if a.Script == b.Script && a.Confidence == 0 && b.Confidence == 0 {
			return true
		}
		return a.Lang == b.Lang && a.Script == b.Script && math.Abs(a.Confidence-b.Confidence) < 1e-12
	}
	ours, theirs = detect(text), whatlanggo.Detect(text)
	if eq(ours, theirs) {
		return ours, theirs, true
	}
	for range 50 {
		if eq(ours, whatlanggo.Detect(text)) {
			return ours, theirs, true
		}
	}
	return ours, theirs, false
}

func TestDetectMatchesWhatlanggo(t *testing.T) {
	texts := []string{
		"", " ", "a", "ab", "abc", "  a  b  ", "Hello", "ok!", "1234 !!! 🙂",
		"The committee reviewed the budget and approved new library hours.",
		"Der Ausschuss prüfte den Haushalt und genehmigte neue Öffnungszeiten.",
		"Le comité a examiné le budget et approuvé de nouveaux horaires.",
		"El comité revisó el presupuesto y aprobó nuevos horarios.",
		"Это очень интересная книга, которую я прочитал вчера вечером.",
		"Це дуже цікава книга, яку я прочитав учора ввечері.",
		"هذا كتاب مثير للاهتمام قرأته مساء أمس.",
		"यह एक बहुत ही रोचक किताब है जो मैंने कल शाम पढ़ी।",
		"זה ספר מעניין מאוד שקראתי אתמול בערב.",
		"ይህ በጣም አስደሳች መጽሐፍ ነው።",
		"委员会审查了预算并批准了图书馆的新开放时间。",
		"委員会は予算を審査し、図書館の新しい開館時間を承認しました。",
		"ÀÉÎÕÜ ÇÑ ǅ ǈ Σίσυφος ΣΑΣ İstanbul ıi", // case mapping edge cases
		"tab\there\nnew line\r\n\u00a0nbsp\u2003em\u0085nel x2y3z 4a5b",
		"ひらがな漢字漢字漢字漢字", "漢字漢字漢字かな", "カタカナ", "Ελληνικά και English mixed 混合", "ab αβ", "αβ ab",
		"don't stop-believing; it's (really) \"quoted\" — dash… ellipsis",
	}
	// Held-out multilingual texts, whole and sentence by sentence.
	files := []string{filepath.Join("..", "..", "training", "work", "lang_eval.jsonl")}
	more, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "datasets", "*", "*.jsonl"))
	files = append(files, more...)
	limit := 1500
	if testing.Short() {
		limit = 300
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for n := 0; n < limit/len(files)+50 && sc.Scan(); n++ {
			var row struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &row) != nil || row.Text == "" {
				continue
			}
			text := row.Text
			if len(text) > 4096 {
				text = strings.ToValidUTF8(text[:4096], "")
			}
			texts = append(texts, text)
			for _, sp := range sentence.Spans(text) {
				texts = append(texts, text[sp[0]:sp[1]])
			}
		}
		_ = f.Close()
	}
	bad := 0
	for _, text := range texts {
		if got, want := detectScript(text), whatlanggo.DetectScript(text); got != want {
			bad++
			t.Errorf("%q: detectScript %v, whatlanggo %v", text, whatlanggo.Scripts[got], whatlanggo.Scripts[want])
			continue
		}
		ours, theirs, ok := sameAsWhatlanggo(text)
		if !ok {
			bad++
			if bad <= 10 {
				t.Errorf("%q: detect %v %.6f, whatlanggo %v %.6f", text, ours.Lang, ours.Confidence, theirs.Lang, theirs.Confidence)
			}
		}
	}
	t.Logf("%d texts compared, %d differ", len(texts), bad)
	if len(texts) < 100 {
		t.Log("few texts: training/work/lang_eval.jsonl and ../shared datasets absent")
	}
}

func TestDetectAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	text := strings.Repeat("The committee reviewed the budget and approved new library hours. ", 4)
	detect(text) // build the index, fill the pool
	if n := testing.AllocsPerRun(100, func() { detect(text) }); n != 0 {
		t.Errorf("detect allocates %v times per call, want 0", n)
	}
}

func BenchmarkDetect(b *testing.B) {
	text := "The committee reviewed the budget and approved new library hours. Wie wird das Wetter morgen?"
	detect(text) // build the index
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			detect(text)
		}
	})
	b.Run("whatlanggo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			whatlanggo.Detect(text)
		}
	})
}
