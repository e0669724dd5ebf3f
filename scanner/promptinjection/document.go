package promptinjection

import (
	"strings"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/textenum"
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
	if strings.TrimSpace(s) == "" {
		return ContextPrompt, nil
	}
	return textenum.Parse("context", s, ContextPrompt, ContextDocument)
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Context) UnmarshalText(b []byte) error { return textenum.Set(c, b, ParseContext) }

// MatchType is how the classifier splits text in this context: sentences
// for documents, else mt (the configured match type) unchanged.
func (c Context) MatchType(mt classifier.MatchType) classifier.MatchType {
	if c == ContextDocument {
		return classifier.MatchSentence
	}
	return mt
}
