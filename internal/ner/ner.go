// Package ner runs token-classification models that find person,
// organisation and location names, for the anonymize and sensitive
// scanners (through internal/pii's NER interface).
//
// A Tagger is one loaded model: its tokenizer (any tokenizer.json the
// tokenizer package reads; the built-in model uses HashedWordFeatures) and
// an inference Engine whose output is per-token logits with IOB2 labels.
// Long texts are cut into overlapping windows of whole words; each word
// takes its prediction from the window where it is farthest from an edge;
// words become entities with Hugging Face's "first" aggregation (a word's
// label is its first token's), and an entity's score is the mean
// probability of its words.
//
// A Source opens the model on first use through the model registry and
// loader (built-in model "llmshield/ner", task "ner"), so a configuration
// that never scans costs nothing, and shares it between scanners.
package ner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/pii"
	"github.com/llmshield/llmshield/tokenizer"
)

// Defaults for Options.
const (
	DefaultWindowWords = 256
	DefaultMarginWords = 16
)

// TypeMap maps the model's entity types to internal/pii's.
var TypeMap = map[string]string{
	"PER": pii.Person, "PERSON": pii.Person,
	"ORG": pii.Organization, "ORGANIZATION": pii.Organization,
	"LOC": pii.Location, "LOCATION": pii.Location, "GPE": pii.Location,
}

// Options configure a Tagger.
type Options struct {
	// WindowWords is the most words one forward pass sees (default 256).
	WindowWords int
	// MarginWords is the context a window keeps on each side of the words
	// it decides (default 16).
	MarginWords int
	// Engine configures the inference engine.
	Engine inference.EngineOptions
	// AnyTypes accepts models whose labels name no person, organisation
	// or location (a generic token classifier, as classifier.Hub opens).
	AnyTypes bool
}

func (o Options) withDefaults() (Options, error) {
	if o.WindowWords == 0 {
		o.WindowWords = DefaultWindowWords
	}
	if o.MarginWords == 0 {
		o.MarginWords = DefaultMarginWords
	}
	if o.WindowWords < 1 || o.MarginWords < 0 || 2*o.MarginWords >= o.WindowWords {
		return o, fmt.Errorf("ner: window_words %d and margin_words %d: want window > 2*margin >= 0", o.WindowWords, o.MarginWords)
	}
	return o, nil
}

// Tagger is a loaded token classifier. It is safe for concurrent use.
type Tagger struct {
	id      string
	tok     *tokenizer.Tokenizer
	eng     *inference.Engine
	labels  []string
	opts    Options
	perWord int // ids per word (HashedWordFeatures) or 0 (one word per span run)
}

// Open loads the token classifier in files with rt.
func Open(ctx context.Context, rt *inference.Runtime, files registry.Files, opts Options) (*Tagger, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	name := files.Entry.ID
	cfgPath, modelPath, tokPath := files.Config(), files.Model(), files.Tokenizer()
	if cfgPath == "" || modelPath == "" || tokPath == "" {
		return nil, fmt.Errorf("ner model %s: needs model.onnx, tokenizer.json and config.json", name)
	}
	mc, err := inference.LoadModelConfig(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("ner model %s: %w", name, err)
	}
	if !slices.Contains(mc.Labels, "O") {
		return nil, fmt.Errorf("ner model %s: labels %v have no O label; not an IOB2 token classifier", name, mc.Labels)
	}
	known := false
	for _, l := range mc.Labels {
		t := l
		if len(l) > 2 && l[1] == '-' {
			t = l[2:]
		}
		known = known || TypeMap[t] != ""
	}
	if !known && !opts.AnyTypes {
		return nil, fmt.Errorf("ner model %s: no label of %v names a person, organisation or location", name, mc.Labels)
	}
	tok, err := tokenizer.Load(tokPath, tokenizer.Config{MaxLength: 1 << 30})
	if err != nil {
		return nil, fmt.Errorf("ner model %s: tokenizer: %w", name, err)
	}
	per := 0
	if tok.Kind() == "hashed-word-features" {
		per = tokenizer.HashedWordFeaturesK
	}
	eo := opts.Engine
	if eo.Name == "" {
		eo.Name = name
	}
	eo.PadID = mc.PadTokenID
	eo.MaxLength = 0
	eng, err := rt.Open(ctx, modelPath, eo)
	if err != nil {
		return nil, fmt.Errorf("ner model %s: %w", name, err)
	}
	return &Tagger{id: name, tok: tok, eng: eng, labels: mc.Labels, opts: opts, perWord: per}, nil
}

// ID is the registry id of the model.
func (t *Tagger) ID() string { return t.id }

// Backend names the inference backend running the model.
func (t *Tagger) Backend() string { return t.eng.Backend() }

// Close releases the model.
func (t *Tagger) Close() error { return t.eng.Close() }

// Labels returns the model's labels (config.json id2label) in output order.
func (t *Tagger) Labels() []string { return slices.Clone(t.labels) }

// Entities returns the entities of text with the model's own types
// ("PER"), byte offsets and mean word probabilities, sorted by start,
// with the "first" aggregation.
func (t *Tagger) Entities(ctx context.Context, text string) ([]inference.Entity, error) {
	return t.EntitiesWith(ctx, text, inference.AggregateFirst)
}

// EntitiesWith is Entities with another aggregation strategy: "first"
// scores only each word's first token; the others score every token of
// the words a window decides and aggregate as Hugging Face's pipeline.
func (t *Tagger) EntitiesWith(ctx context.Context, text string, agg inference.Aggregation) ([]inference.Entity, error) {
	if _, err := inference.ParseAggregation(string(agg)); err != nil {
		return nil, fmt.Errorf("ner: %w", err)
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	enc, err := t.tok.Encode(text)
	if err != nil {
		return nil, fmt.Errorf("ner: %w", err)
	}
	if len(enc.IDs) == 0 {
		return nil, nil
	}
	words := inference.WordsBySpan(enc.Offsets)
	if t.perWord == 0 {
		words = inference.WordsByGap(text, enc.Offsets)
	}
	// word w covers tokens [first[w], first[w+1])
	var first, last []int // first and last token of each word
	for i, w := range words {
		if w < 0 {
			continue
		}
		if i == 0 || words[i-1] != w {
			first = append(first, i)
			last = append(last, i)
		}
		last[len(last)-1] = i
	}
	nw := len(first)
	if nw == 0 {
		return nil, nil
	}
	first = append(first, len(words))
	ids, mask := enc.IDsInt64(), enc.AttentionMaskInt64()
	W, M := t.opts.WindowWords, t.opts.MarginWords
	step := W - 2*M
	var wins []window
	for lo := 0; ; lo += step {
		hi := min(nw, lo+W)
		wn := window{lo: lo, hi: hi, keepLo: lo + M, keepHi: hi - M}
		if lo == 0 {
			wn.keepLo = 0
		}
		if hi == nw {
			wn.keepHi = nw
		}
		wins = append(wins, wn)
		if hi == nw {
			break
		}
	}
	batch := make([]inference.Input, len(wins))
	for i, wn := range wins {
		a, b := first[wn.lo], first[wn.hi]
		batch[i] = inference.Input{InputIDs: ids[a:b], AttentionMask: mask[a:b]}
	}
	rows, err := t.eng.TokenLogits(ctx, batch)
	if err != nil {
		return nil, fmt.Errorf("ner: %w", err)
	}
	if agg != inference.AggregateFirst {
		return t.aggregateTokens(text, enc, wins, first, last, rows, agg)
	}
	// Aggregation "first": a word's prediction is its first token's, so
	// only those rows are scored.
	logits := make([][]float32, nw)
	spans := make([][2]int, nw)
	for i, wn := range wins {
		base := first[wn.lo]
		for w := wn.keepLo; w < wn.keepHi; w++ {
			logits[w] = rows[i][first[w]-base]
			spans[w] = [2]int{enc.Offsets[first[w]][0], enc.Offsets[last[w]][1]}
		}
	}
	scores, err := inference.TokenScores(logits, t.labels)
	if err != nil {
		return nil, fmt.Errorf("ner: %w", err)
	}
	ents, err := inference.Aggregate(text, scores, spans, nil, t.labels, inference.AggregateSimple, 0)
	if err != nil {
		return nil, fmt.Errorf("ner: %w", err)
	}
	return ents, nil
}

// Matches returns the person, organisation and location entities of text
// as internal/pii matches (other types are dropped).
func (t *Tagger) Matches(ctx context.Context, text string) ([]pii.Match, error) {
	ents, err := t.Entities(ctx, text)
	if err != nil {
		return nil, err
	}
	out := make([]pii.Match, 0, len(ents))
	for _, e := range ents {
		if typ := TypeMap[e.Type]; typ != "" {
			out = append(out, pii.Match{Type: typ, Start: e.Start, End: e.End, Score: e.Score})
		}
	}
	return out, nil
}

// window is a run of words [lo,hi) one forward pass sees; it decides the
// words [keepLo,keepHi).
type window struct{ lo, hi, keepLo, keepHi int }

// aggregateTokens scores every token of the words each window decides
// and aggregates them with agg (words by their ids).
func (t *Tagger) aggregateTokens(text string, enc tokenizer.Encoding, wins []window, first, last []int, rows [][][]float32, agg inference.Aggregation) ([]inference.Entity, error) {
	var logits [][]float32
	var spans [][2]int
	var words []int
	for i, wn := range wins {
		base := first[wn.lo]
		for w := wn.keepLo; w < wn.keepHi; w++ {
			for k := first[w]; k <= last[w]; k++ {
				logits = append(logits, rows[i][k-base])
				spans = append(spans, enc.Offsets[k])
				words = append(words, w)
			}
		}
	}
	scores, err := inference.TokenScores(logits, t.labels)
	if err != nil {
		return nil, fmt.Errorf("ner: %w", err)
	}
	ents, err := inference.Aggregate(text, scores, spans, words, t.labels, agg, 0)
	if err != nil {
		return nil, fmt.Errorf("ner: %w", err)
	}
	return ents, nil
}

var errClosed = errors.New("ner: source closed")
