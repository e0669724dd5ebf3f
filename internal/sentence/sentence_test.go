package sentence

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSpans(t *testing.T) {
	text := "One. Two!\nThree? 四。五 3.14 stays"
	var got []string
	for _, sp := range Spans(text) {
		got = append(got, text[sp[0]:sp[1]])
	}
	want := []string{"One.", " Two!", "\n", "Three?", " 四。", "五 3.14 stays"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if Spans("") != nil {
		t.Error("empty text has sentences")
	}
}

func FuzzSpans(f *testing.F) {
	for _, s := range []string{"a. b", "。。", "\xff.\n", "x?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		last := 0
		for _, sp := range Spans(text) {
			if sp[0] != last || sp[1] <= sp[0] {
				t.Fatalf("spans not contiguous: %v", Spans(text))
			}
			last = sp[1]
		}
		if last != len(text) {
			t.Fatalf("spans end at %d of %d", last, len(text))
		}
	})
}
