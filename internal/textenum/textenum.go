// Package textenum is the text form of llmshield's enumerations, written
// once: string-valued ones (a model variant, an ml.on_unavailable policy, a
// prompt_injection context, a match type) parse from their names in any
// case with Parse and decode with Set; integer-valued ones (a hybrid mode,
// a detection method, a health level, a breaker state) are named by a Names
// table, which prints, encodes and parses them.
package textenum

import (
	"fmt"
	"strings"
)

// Parse returns the value among values that s names, ignoring case and
// surrounding space. The error names what s was to be and lists values:
// `unknown model variant "x" (want fp32, fp16 or int8)`.
func Parse[T ~string](what, s string, values ...T) (T, error) {
	key := T(strings.ToLower(strings.TrimSpace(s)))
	for _, v := range values {
		if key == v {
			return v, nil
		}
	}
	list := make([]string, len(values))
	for i, v := range values {
		list[i] = string(v)
	}
	return "", fmt.Errorf("unknown %s %q (want %s)", what, s, Or(list...))
}

// Or lists items for an error message: "a", "a or b", "a, b or c".
func Or(items ...string) string {
	if n := len(items); n > 1 {
		return strings.Join(items[:n-1], ", ") + " or " + items[n-1]
	}
	return strings.Join(items, "")
}

// Set decodes b with parse into *dst, for an UnmarshalText method; on error
// *dst is left alone.
func Set[T any](dst *T, b []byte, parse func(string) (T, error)) error {
	v, err := parse(string(b))
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// Names names the values 0, 1, 2, ... of an integer enumeration T: Type is
// the type's name in String's form of a value without a name ("level" gives
// "level(7)"), What the enumeration's name in errors ("hybrid mode").
type Names[T ~int | ~uint8] struct {
	Type, What string
	Names      []string
}

func (n Names[T]) name(v T) (string, bool) {
	if i := int(v); i >= 0 && i < len(n.Names) {
		return n.Names[i], true
	}
	return "", false
}

// String returns the name of v, or Type(v) when it has none.
func (n Names[T]) String(v T) string {
	if s, ok := n.name(v); ok {
		return s
	}
	return fmt.Sprintf("%s(%d)", n.Type, int(v))
}

// Marshal returns the name of v, for a MarshalText method; a value without
// a name is an error.
func (n Names[T]) Marshal(v T) ([]byte, error) {
	if s, ok := n.name(v); ok {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("invalid %s %d", n.What, int(v))
}

// Parse returns the value that s names, ignoring case, surrounding space
// and the difference between snake_case and CamelCase ("ml_only" =
// "MLOnly" = "mlonly").
func (n Names[T]) Parse(s string) (T, error) {
	key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
	for i, name := range n.Names {
		if strings.ReplaceAll(name, "_", "") == key {
			return T(i), nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (want one of %s)", n.What, s, strings.Join(n.Names, ", "))
}
