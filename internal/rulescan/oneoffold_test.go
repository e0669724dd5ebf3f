package rulescan

import "testing"

func TestOneOfFold(t *testing.T) {
	for _, got := range []string{"full", "Sentence", "FULL"} {
		if err := OneOfFold("match_type", got, "full", "sentence"); err != nil {
			t.Errorf("%q: %v", got, err)
		}
	}
	// The error shows the value as configured, not its lower-case form.
	if err := OneOfFold("match_type", "Word", "full", "sentence"); err == nil || err.Error() != `match_type: unknown "Word" (want "full" or "sentence")` {
		t.Errorf("Word: %v", err)
	}
	if err := OneOf("match_type", "FULL", "full", "sentence"); err == nil {
		t.Error("OneOf must not fold case")
	}
}
