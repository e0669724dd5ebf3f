package textenum

import (
	"encoding/json"
	"testing"
)

type color string

const (
	red   color = "red"
	green color = "green"
	blue  color = "blue"
)

func parseColor(s string) (color, error) { return Parse("color", s, red, green, blue) }

func (c *color) UnmarshalText(b []byte) error { return Set(c, b, parseColor) }

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in, want, err string
	}{
		{"red", "red", ""},
		{" GREEN\n", "green", ""},
		{"Blue", "blue", ""},
		{"", "", `unknown color "" (want red, green or blue)`},
		{"pink", "", `unknown color "pink" (want red, green or blue)`},
	} {
		got, err := parseColor(c.in)
		if string(got) != c.want || errText(err) != c.err {
			t.Errorf("Parse(%q) = %q, %q; want %q, %q", c.in, got, errText(err), c.want, c.err)
		}
	}
	if _, err := Parse("x", "b", color("a")); errText(err) != `unknown x "b" (want a)` {
		t.Errorf("one value: %v", err)
	}
	if _, err := Parse("x", "c", color("a"), "b"); errText(err) != `unknown x "c" (want a or b)` {
		t.Errorf("two values: %v", err)
	}
}

func TestSet(t *testing.T) {
	var v struct{ C color }
	if err := json.Unmarshal([]byte(`{"C":"Red"}`), &v); err != nil || v.C != red {
		t.Fatalf("decoded %q, %v", v.C, err)
	}
	if err := json.Unmarshal([]byte(`{"C":"pink"}`), &v); err == nil || v.C != red {
		t.Fatalf("a bad name must fail and leave the value alone: %q, %v", v.C, err)
	}
}

type mode uint8

var modes = Names[mode]{Type: "Mode", What: "test mode", Names: []string{"hybrid", "ml_only", "both"}}

type level int

var levels = Names[level]{Type: "level", Names: []string{"ok", "warn"}}

func TestNames(t *testing.T) {
	if s := modes.String(1); s != "ml_only" {
		t.Errorf("String(1) = %q", s)
	}
	if s := modes.String(7); s != "Mode(7)" {
		t.Errorf("String(7) = %q", s)
	}
	if s := levels.String(-1); s != "level(-1)" {
		t.Errorf("String(-1) = %q", s)
	}
	if b, err := modes.Marshal(2); string(b) != "both" || err != nil {
		t.Errorf("Marshal(2) = %q, %v", b, err)
	}
	if b, err := modes.Marshal(3); b != nil || errText(err) != "invalid test mode 3" {
		t.Errorf("Marshal(3) = %q, %v", b, err)
	}
	for in, want := range map[string]mode{"hybrid": 0, "ml_only": 1, "MLOnly": 1, " mlonly ": 1, "BOTH": 2} {
		if got, err := modes.Parse(in); got != want || err != nil {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := modes.Parse("ml-only"); errText(err) != `unknown test mode "ml-only" (want one of hybrid, ml_only, both)` {
		t.Errorf("Parse(ml-only): %v", err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestOr(t *testing.T) {
	for want, items := range map[string][]string{"": nil, "a": {"a"}, "a or b": {"a", "b"}, "a, b or c": {"a", "b", "c"}} {
		if got := Or(items...); got != want {
			t.Errorf("Or(%q) = %q, want %q", items, got, want)
		}
	}
}
