package promptinjection

import (
	"fmt"
	"strings"

	"github.com/llmshield/llmshield/classifier"
)

// Context says what kind of text the prompt_injection scanner reads.
type Context string

const (
	// ContextPrompt is a user's message (the default): the model scores the
	// whole text (overlapping windows for long texts, maximum).
	ContextPrompt Context = "prompt"
	// ContextDocument is retrieved text, tool output, an e-mail or a web
	// page: the model scores every sentence (line or sentence end) on its
	// own and the text scores its most suspicious sentence, so that one
	// instruction addressed to the assistant is not diluted by the benign
	// rest of the document.
	ContextDocument Context = "document"
)

// ParseContext accepts "prompt" (or empty) and "document".
func ParseContext(s string) (Context, error) {
	switch Context(strings.ToLower(strings.TrimSpace(s))) {
	case "", ContextPrompt:
		return ContextPrompt, nil
	case ContextDocument:
		return ContextDocument, nil
	}
	return "", fmt.Errorf("unknown context %q (want prompt or document)", s)
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Context) UnmarshalText(b []byte) error {
	v, err := ParseContext(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MatchType is how the classifier splits text in this context: sentences
// for documents, else mt (the configured match type) unchanged.
func (c Context) MatchType(mt classifier.MatchType) classifier.MatchType {
	if c == ContextDocument {
		return classifier.MatchSentence
	}
	return mt
}
