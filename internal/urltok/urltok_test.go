package urltok

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEach(t *testing.T) {
	type tok struct {
		Start int
		Tok   string
	}
	for text, want := range map[string][]tok{
		"":                          nil,
		" \n\t ":                    nil,
		"see https://x.io/a now":    {{0, "see"}, {4, "https://x.io/a"}, {19, "now"}},
		"\vlead\ftrail\r\n":         {{1, "lead"}, {6, "trail"}},
		"a\u00a0b c":                {{0, "a\u00a0b"}, {5, "c"}},
		"\xff\xfe http://\xffx.com": {{0, "\xff\xfe"}, {3, "http://\xffx.com"}},
	} {
		var got []tok
		Each(text, func(start int, s string) {
			if text[start:start+len(s)] != s {
				t.Errorf("%q: token %q is not at %d", text, s, start)
			}
			got = append(got, tok{start, s})
		})
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%q (-want +got):\n%s", text, d)
		}
	}
}
