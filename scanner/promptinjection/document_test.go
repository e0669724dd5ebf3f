package promptinjection

import (
	"testing"

	"github.com/llmshield/llmshield/classifier"
)

func TestContext(t *testing.T) {
	for in, want := range map[string]Context{"": ContextPrompt, "prompt": ContextPrompt, " Document ": ContextDocument} {
		got, err := ParseContext(in)
		if err != nil || got != want {
			t.Errorf("ParseContext(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	var c Context
	if err := c.UnmarshalText([]byte("email")); err == nil {
		t.Error("unknown context accepted")
	}
	if got := ContextDocument.MatchType(classifier.MatchFull); got != classifier.MatchSentence {
		t.Errorf("document match type %q", got)
	}
	if got := ContextPrompt.MatchType(classifier.MatchChunks); got != classifier.MatchChunks {
		t.Errorf("prompt match type %q", got)
	}
}
