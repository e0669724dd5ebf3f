package wordshape

import "testing"

func TestStretched(t *testing.T) {
	for w, want := range map[string]bool{"sooo": true, "stuuupid": true, "soo": false, "": false, "111": false, "aab": false, "zzz": true, "AAA": false} {
		if got := Stretched(w); got != want {
			t.Errorf("Stretched(%q) = %v, want %v", w, got, want)
		}
	}
}

func TestSqueeze(t *testing.T) {
	for _, c := range []struct {
		w    string
		n    int
		want string
	}{
		{"sooooo", 1, "so"},
		{"sooooo", 2, "soo"},
		{"stuuupid!!!", 1, "stupid!"},
		{"book", 2, "book"},
		{"", 1, ""},
	} {
		if got := Squeeze(c.w, c.n); got != c.want {
			t.Errorf("Squeeze(%q, %d) = %q, want %q", c.w, c.n, got, c.want)
		}
	}
}
