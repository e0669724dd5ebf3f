package mdfence

import "testing"

func TestOpening(t *testing.T) {
	for _, c := range []struct {
		text, marker, info string
		lineEnd            int
	}{
		{"```go\nx\n```", "```", "go", 5},
		{"   ~~~~ python extra\n", "~~~~", "python extra", 20},
		{"    ```\n", "", "", 7}, // four spaces: indented code, not a fence
		{"``\n", "", "", 2},
		{"`~~`", "", "", 4},
		{"text", "", "", 4},
	} {
		m, info, le := Opening(c.text, 0)
		if m != c.marker || info != c.info || le != c.lineEnd {
			t.Errorf("Opening(%q) = %q, %q, %d; want %q, %q, %d", c.text, m, info, le, c.marker, c.info, c.lineEnd)
		}
	}
}

func TestClose(t *testing.T) {
	for _, c := range []struct {
		text      string
		end, next int
	}{
		{"```\nbody\n```\nafter", 9, 13},
		{"```\nbody\n``\n````\nafter", 12, 17}, // a shorter run does not close; a longer one does
		{"```\nbody\n~~~\n```", 13, 16},        // another fence character does not close
		{"```\nbody\n``` x\n", 15, 15},         // a closing fence takes no info string: unclosed
		{"```\nbody", 8, 8},
	} {
		m, _, le := Opening(c.text, 0)
		end, next := Close(c.text, le+1, m)
		if end != c.end || next != c.next {
			t.Errorf("Close(%q) = %d, %d; want %d, %d", c.text, end, next, c.end, c.next)
		}
	}
}
