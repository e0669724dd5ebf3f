package classifier

import (
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/ner"
)

// Entity is a span of text a TokenClassifier labelled: its type ("ORG",
// from IOB2 labels such as B-ORG/I-ORG), byte offsets, score and text.
type Entity = inference.Entity

// Aggregation is how token predictions become entities, with Hugging
// Face's token-classification strategy names.
type Aggregation = inference.Aggregation

// Aggregation strategies (Hugging Face's aggregation_strategy).
const (
	AggregateNone    = inference.AggregateNone
	AggregateSimple  = inference.AggregateSimple
	AggregateFirst   = inference.AggregateFirst
	AggregateAverage = inference.AggregateAverage
	AggregateMax     = inference.AggregateMax
)

// ParseAggregation checks a strategy name: none, simple (also ""),
// first, average or max.
func ParseAggregation(s string) (Aggregation, error) { return inference.ParseAggregation(s) }

// TokenClassifier is a loaded token-classification (NER) model: per-token
// logits with IOB2 labels in config.json's id2label ("O", "B-ORG",
// "I-ORG", ...) and a tokenizer.json. Long texts are cut into overlapping
// windows of whole words, so nothing goes unscanned. It is safe for
// concurrent use.
type TokenClassifier struct {
	id, version string
	tag         *ner.Tagger
	types       []string
}

// OpenTokenClassifier loads the token classifier in files with rt.
func OpenTokenClassifier(ctx context.Context, rt *inference.Runtime, files registry.Files, opts Options) (*TokenClassifier, error) {
	tag, err := ner.Open(ctx, rt, files, ner.Options{Engine: opts.Engine, AnyTypes: true})
	if err != nil {
		return nil, err
	}
	version, err := modelVersion(files)
	if err != nil {
		_ = tag.Close()
		return nil, fmt.Errorf("model %s: %w", files.Entry.ID, err)
	}
	var types []string
	for _, l := range tag.Labels() {
		if t := EntityType(l); t != "" && !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	return &TokenClassifier{id: files.Entry.ID, version: version, tag: tag, types: types}, nil
}

// EntityType is the entity type a token label names: "ORG" for "B-ORG"
// or "I-ORG" (also the S-/E- of IOBES), the label itself without such a
// prefix, "" for "O".
func EntityType(label string) string {
	if label == "O" || label == "" {
		return ""
	}
	if len(label) > 2 && label[1] == '-' && (label[0] == 'B' || label[0] == 'I' || label[0] == 'E' || label[0] == 'S') {
		return label[2:]
	}
	return label
}

// ID returns the model's registry id (or directory).
func (c *TokenClassifier) ID() string { return c.id }

// Version identifies the weights (id and hash prefix).
func (c *TokenClassifier) Version() string { return c.version }

// Labels returns the model's token labels in output order.
func (c *TokenClassifier) Labels() []string { return c.tag.Labels() }

// Types returns the entity types the labels name, in label order.
func (c *TokenClassifier) Types() []string { return slices.Clone(c.types) }

// Backend names the inference backend running the model.
func (c *TokenClassifier) Backend() string { return c.tag.Backend() }

// Close releases the model.
func (c *TokenClassifier) Close() error { return c.tag.Close() }

// Entities returns the entities of text, sorted by start, aggregated with
// agg ("" is simple); an entity's score is the mean probability of its
// tokens (of its words' deciding tokens with first, average and max).
// Blank text has none; invalid UTF-8 is an error.
func (c *TokenClassifier) Entities(ctx context.Context, text string, agg Aggregation) ([]Entity, error) {
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("model %s: text is not valid UTF-8", c.id)
	}
	if agg == "" {
		agg = AggregateSimple
	}
	ents, err := c.tag.EntitiesWith(ctx, text, agg)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", c.id, err)
	}
	return ents, nil
}
