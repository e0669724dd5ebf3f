// Package classifier runs Hugging Face style text models (a directory with
// model.onnx, tokenizer.json or a SentencePiece model, config.json) on the
// inference engine, as three pipelines:
//
//   - Classifier: sequence classification (config.json id2label). Long
//     texts are split into parts (token windows, sentences or character
//     chunks) so that nothing goes unscanned; the prediction is the most
//     positive part.
//   - PairClassifier: sentence-pair classification with an NLI
//     cross-encoder (premise and hypothesis encoded together by the
//     tokenizer's pair template): entailment probability, and zero-shot
//     classification over candidate labels with a hypothesis template. The
//     entailment label is found by name in id2label.
//   - Embedder: sentence embeddings, from per-token hidden states pooled
//     here (mean over the attention mask or CLS; sentence-transformers'
//     1_Pooling/config.json is honoured) or from a model that outputs one
//     vector per text; optional L2 normalisation; Cosine compares them.
//
// Hub opens models lazily through the model registry and loader, once per
// model and pipeline, and shares them between scanners. A model is named by
// registry id or name, or by the path of a local directory.
//
// Public on purpose: llmshield.WithModelHub takes a *Hub, so that a
// program can share one set of loaded models between successive Shields.
// The pair and embedding pipelines live here rather than in a package of
// their own because the Hub is the one public handle that loads and shares
// models: a separate package would need a second hub (or an import cycle)
// and a second root option, and the root API stays small.
package classifier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/textenum"
	"github.com/llmshield/llmshield/tokenizer"
)

// MatchType says how a text is split into the parts the model classifies.
type MatchType string

// Match types. The score of a text is the maximum over its parts.
const (
	// MatchFull covers the whole text with overlapping token windows of the
	// model's maximum length: nothing past the limit goes unscanned.
	MatchFull MatchType = "full"
	// MatchTruncate classifies only the first max-length tokens (what LLM
	// Guard calls FULL).
	MatchTruncate MatchType = "truncate"
	// MatchSentence classifies each sentence (windows for very long ones).
	MatchSentence MatchType = "sentence"
	// MatchChunks classifies 256-character chunks overlapping by 25.
	MatchChunks MatchType = "chunks"
	// MatchHeadTail classifies the first 128 and last 382 tokens together.
	MatchHeadTail MatchType = "head_tail"
)

// matchTypes are the names ParseMatchType accepts.
var matchTypes = map[string]MatchType{"": MatchFull, "full": MatchFull, "truncate": MatchTruncate, "sentence": MatchSentence,
	"chunks": MatchChunks, "head_tail": MatchHeadTail, "truncate_token_head_tail": MatchHeadTail, "truncate_head_tail": MatchHeadTail}

// ParseMatchType accepts the names above, and LLM Guard's upper-case ones.
func ParseMatchType(s string) (MatchType, error) {
	return parseName(s, "match_type", "full, truncate, sentence, chunks or head_tail", matchTypes)
}

// parseName looks s up, trimmed and in lower case, among names.
func parseName[T ~string](s, what, want string, names map[string]T) (T, error) {
	if v, ok := names[strings.ToLower(strings.TrimSpace(s))]; ok {
		return v, nil
	}
	return "", fmt.Errorf("unknown %s %q (want %s)", what, s, want)
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *MatchType) UnmarshalText(b []byte) error { return textenum.Set(m, b, ParseMatchType) }

// Part is one classified piece of a text.
type Part struct {
	// Start and End are the byte span of the text the part covers.
	Start, End int
	// Result are the model's scores for the part.
	Result inference.InferenceResult
	// Score is the part's positive score (see Classifier.PositiveScore).
	Score float64
}

// Prediction is a classifier's verdict on a whole text.
type Prediction struct {
	// Score is the highest positive score over the parts, in [0,1].
	Score float64
	// Best is the part that scored highest.
	Best Part
	// Parts is how many parts were classified.
	Parts int
}

// BestLabel returns the label with the highest score in p's best part among
// labels (the model's positive labels when empty).
func (c *Classifier) BestLabel(p Prediction, labels []string) string {
	if len(labels) == 0 {
		labels = c.positive
	}
	best, bestScore := "", -1.0
	for _, l := range labels {
		if s, ok := p.Best.Result.Score(l); ok && s > bestScore {
			best, bestScore = l, s
		}
	}
	return best
}

// Options configure Open.
type Options struct {
	// MaxLength caps the tokens per part; 0 uses config.json's max_length,
	// else 512.
	MaxLength int
	// Stride is the token overlap of consecutive windows (0: MaxLength/8).
	Stride int
	// Engine configures the inference engine (threads, batching).
	Engine inference.EngineOptions
}

// Model is what a scanner needs of a sequence classifier: *Classifier
// implements it, tests supply fakes.
type Model interface {
	Classify(ctx context.Context, text string, mt MatchType, positive []string) (Prediction, error)
	// BestLabel is the highest-scoring of labels (the positive labels when
	// empty) in p's best part.
	BestLabel(p Prediction, labels []string) string
	// Labels are the model's labels (config.json id2label).
	Labels() []string
	// Version identifies the weights (for fingerprints).
	Version() string
}

var _ Model = (*Classifier)(nil)

// Classifier is a loaded text classifier. It is safe for concurrent use.
type Classifier struct {
	id       string
	version  string
	tok      *tokenizer.Tokenizer
	eng      *inference.Engine
	cfg      inference.ModelConfig
	post     inference.PostProcessing
	positive []string
	maxLen   int
}

// Open loads the classifier in files with rt.
func Open(ctx context.Context, rt *inference.Runtime, files registry.Files, opts Options) (*Classifier, error) {
	name := files.Entry.ID
	mc, err := loadModelConfig(files, "")
	if err != nil {
		return nil, err
	}
	maxLen := modelMaxLen(opts.MaxLength, mc.MaxLength, files.Entry.MaxLength)
	tokPath := files.Tokenizer()
	if tokPath == "" {
		tokPath = files.Dir
	}
	tcfg := tokenizer.DefaultConfig()
	tcfg.MaxLength = maxLen
	tcfg.Stride = opts.Stride
	if tcfg.Stride <= 0 {
		tcfg.Stride = maxLen / 8
	}
	tok, err := tokenizer.Load(tokPath, tcfg)
	if err != nil {
		return nil, fmt.Errorf("model %s: tokenizer: %w", name, err)
	}
	positive := mc.PositiveLabels
	if len(positive) == 0 {
		positive = defaultPositive(mc.Labels)
	}
	for _, p := range positive {
		if !slices.Contains(mc.Labels, p) {
			return nil, fmt.Errorf("model %s: positive label %q is not one of the model's labels %v", name, p, mc.Labels)
		}
	}
	eng, version, err := openEngine(ctx, rt, files, opts, maxLen, mc.PadTokenID)
	if err != nil {
		return nil, err
	}
	return &Classifier{id: name, version: version, tok: tok, eng: eng, cfg: mc, post: mc.PostProcessing(), positive: positive, maxLen: maxLen}, nil
}

// loadModelConfig reads the config.json of a model that needs model.onnx
// and config.json; kind ("an NLI model ") names the model in the error.
func loadModelConfig(files registry.Files, kind string) (inference.ModelConfig, error) {
	name := files.Entry.ID
	if files.Config() == "" || files.Model() == "" {
		return inference.ModelConfig{}, fmt.Errorf("model %s: %sneeds model.onnx and config.json, have %v", name, kind, slices.Sorted(mapsKeys(files.Paths)))
	}
	mc, err := inference.LoadModelConfig(files.Config())
	if err != nil {
		return inference.ModelConfig{}, fmt.Errorf("model %s: %w", name, err)
	}
	return mc, nil
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// defaultPositive guesses the labels that mean "flag": every label that is
// not a usual benign name; for a binary model with generic names, label 1.
func defaultPositive(labels []string) []string {
	benign := map[string]bool{"safe": true, "benign": true, "normal": true, "neutral": true, "positive": true, "label_0": true, "legit": true, "clean": true, "ok": true, "not_toxic": true, "non_toxic": true}
	var out []string
	for _, l := range labels {
		if !benign[strings.ToLower(l)] {
			out = append(out, l)
		}
	}
	if len(out) == 0 || len(out) == len(labels) {
		if len(labels) == 2 {
			return []string{labels[1]}
		}
	}
	return out
}

// modelVersion identifies the exact weights: the registry checksum of
// model.onnx when known, else a hash of the file.
func modelVersion(files registry.Files) (string, error) {
	for _, f := range files.Entry.FileList() {
		if f.Name == registry.ModelFile && f.SHA256 != "" {
			return files.Entry.ID + "@" + f.SHA256[:16], nil
		}
	}
	fh, err := os.Open(files.Model())
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", fmt.Errorf("hash model: %w", err)
	}
	return files.Entry.ID + "@" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// ID returns the registry id of the model.
func (c *Classifier) ID() string { return c.id }

// Version identifies the model's weights (id and hash prefix).
func (c *Classifier) Version() string { return c.version }

// Labels returns the model's labels in output order.
func (c *Classifier) Labels() []string { return slices.Clone(c.cfg.Labels) }

// PositiveLabels returns the labels that count as positive.
func (c *Classifier) PositiveLabels() []string { return slices.Clone(c.positive) }

// Threshold returns config.json's default threshold (0 when unset).
func (c *Classifier) Threshold() float64 { return c.cfg.Threshold }

// MaxLength returns the tokens per part.
func (c *Classifier) MaxLength() int { return c.maxLen }

// Backend names the inference backend running the model.
func (c *Classifier) Backend() string { return c.eng.Backend() }

// Engine exposes the inference engine (stats, health).
func (c *Classifier) Engine() *inference.Engine { return c.eng }

// Close releases the model.
func (c *Classifier) Close() error { return c.eng.Close() }

// PositiveScore is how positive one result is: the sum of the positive
// labels' probabilities for softmax models, the largest positive label's
// probability for sigmoid (multi-label) models.
// labels overrides the model's positive labels when not empty.
func (c *Classifier) PositiveScore(r inference.InferenceResult, labels []string) float64 {
	if len(labels) == 0 {
		labels = c.positive
	}
	var s float64
	for _, l := range labels {
		v, _ := r.Score(l)
		if c.post == inference.Sigmoid {
			s = max(s, v)
		} else {
			s += v
		}
	}
	return min(max(s, 0), 1)
}

// Classify scores text; positive overrides the model's positive labels when
// not empty. Empty (or whitespace-only) text is classified as it is: the
// model sees only its special tokens.
func (c *Classifier) Classify(ctx context.Context, text string, mt MatchType, positive []string) (Prediction, error) {
	for _, p := range positive {
		if !slices.Contains(c.cfg.Labels, p) {
			return Prediction{}, fmt.Errorf("model %s: positive label %q is not one of the model's labels %v", c.id, p, c.cfg.Labels)
		}
	}
	parts, err := c.split(text, mt)
	if err != nil {
		return Prediction{}, err
	}
	inputs := make([]inference.Input, len(parts))
	for i, p := range parts {
		inputs[i] = inference.Input{InputIDs: p.IDsInt64(), AttentionMask: p.AttentionMaskInt64()}
		if c.eng.HasTokenTypeIDs() {
			inputs[i].TokenTypeIDs = p.TypeIDsInt64()
		}
	}
	var results []inference.InferenceResult
	if len(inputs) == 1 {
		r, err := c.eng.Infer(ctx, inputs[0].InputIDs, inputs[0].AttentionMask, c.cfg.Labels, c.post)
		if err != nil {
			return Prediction{}, err
		}
		results = []inference.InferenceResult{r}
	} else if results, err = c.eng.InferBatch(ctx, inputs, c.cfg.Labels, c.post); err != nil {
		return Prediction{}, err
	}
	pred := Prediction{Score: -1, Parts: len(parts)}
	for i, r := range results {
		s := c.PositiveScore(r, positive)
		if s > pred.Score {
			pred.Score = s
			pred.Best = Part{Start: parts[i].Start, End: parts[i].End, Result: r, Score: s}
		}
	}
	return pred, nil
}

// split cuts text into encoded parts according to mt.
func (c *Classifier) split(text string, mt MatchType) ([]tokenizer.Window, error) {
	switch mt {
	case MatchTruncate:
		enc, err := c.tok.Encode(text)
		if err != nil {
			return nil, err
		}
		return []tokenizer.Window{{Encoding: enc, Start: spanStart(enc), End: spanEnd(enc)}}, nil
	case MatchHeadTail:
		return c.headTail(text)
	case MatchSentence:
		return c.windowsOf(text, sentences(text))
	case MatchChunks:
		return c.windowsOf(text, chunks(text, 256, 25))
	case MatchFull, "":
		return c.tok.EncodeWindows(text)
	}
	return nil, fmt.Errorf("unknown match type %q", mt)
}

// windowsOf encodes each [start,end) span of text as windows with spans
// relative to the whole text.
func (c *Classifier) windowsOf(text string, spans [][2]int) ([]tokenizer.Window, error) {
	if len(spans) == 0 {
		return c.tok.EncodeWindows(text)
	}
	var out []tokenizer.Window
	for _, sp := range spans {
		ws, err := c.tok.EncodeWindows(text[sp[0]:sp[1]])
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			w.Start += sp[0]
			w.End += sp[0]
			for i := range w.Offsets {
				if w.Offsets[i] != [2]int{0, 0} {
					w.Offsets[i][0] += sp[0]
					w.Offsets[i][1] += sp[0]
				}
			}
			out = append(out, w)
		}
	}
	return out, nil
}

// headTail keeps the first 128 and last (max-130) content tokens, as LLM
// Guard's TRUNCATE_TOKEN_HEAD_TAIL does for a 512-token model.
func (c *Classifier) headTail(text string) ([]tokenizer.Window, error) {
	ws, err := c.tok.EncodeWindows(text)
	if err != nil || len(ws) <= 1 {
		return ws, err
	}
	raw, err := c.tok.WithConfig(tokenizer.Config{MaxLength: c.maxLen})
	if err != nil {
		return nil, err
	}
	enc, err := raw.Encode(text)
	if err != nil {
		return nil, err
	}
	special := c.tok.NumSpecialTokens()
	room := c.maxLen - special
	head := min(128, room/4)
	tail := room - head
	if enc.Len() <= room {
		return ws[:1], nil
	}
	keep := func(e tokenizer.Encoding, idx []int) tokenizer.Encoding {
		var out tokenizer.Encoding
		for _, i := range idx {
			out.IDs = append(out.IDs, e.IDs[i])
			out.TypeIDs = append(out.TypeIDs, e.TypeIDs[i])
			out.AttentionMask = append(out.AttentionMask, 1)
			out.SpecialTokensMask = append(out.SpecialTokensMask, 0)
			out.Offsets = append(out.Offsets, e.Offsets[i])
			out.Tokens = append(out.Tokens, e.Tokens[i])
		}
		return out
	}
	idx := make([]int, 0, room)
	for i := range head {
		idx = append(idx, i)
	}
	for i := enc.Len() - tail; i < enc.Len(); i++ {
		idx = append(idx, i)
	}
	body := keep(enc, idx)
	// Wrap with the special tokens of the first window (same template).
	first := ws[0]
	var pre, post []int
	for i, m := range first.SpecialTokensMask {
		if m == 1 {
			if i == 0 || (len(pre) == i) {
				pre = append(pre, i)
			} else {
				post = append(post, i)
			}
		}
	}
	out := tokenizer.Encoding{}
	for _, i := range pre {
		appendTok(&out, first.Encoding, i)
	}
	for i := range body.IDs {
		appendTok(&out, body, i)
	}
	for _, i := range post {
		appendTok(&out, first.Encoding, i)
	}
	return []tokenizer.Window{{Encoding: out, Start: 0, End: len(text)}}, nil
}

func appendTok(dst *tokenizer.Encoding, src tokenizer.Encoding, i int) {
	dst.IDs = append(dst.IDs, src.IDs[i])
	dst.TypeIDs = append(dst.TypeIDs, src.TypeIDs[i])
	dst.AttentionMask = append(dst.AttentionMask, 1)
	dst.SpecialTokensMask = append(dst.SpecialTokensMask, src.SpecialTokensMask[i])
	dst.Offsets = append(dst.Offsets, src.Offsets[i])
	dst.Tokens = append(dst.Tokens, src.Tokens[i])
}

func spanStart(e tokenizer.Encoding) int {
	for i, o := range e.Offsets {
		if e.SpecialTokensMask[i] == 0 {
			return o[0]
		}
	}
	return 0
}

func spanEnd(e tokenizer.Encoding) int {
	for i := len(e.Offsets) - 1; i >= 0; i-- {
		if e.SpecialTokensMask[i] == 0 {
			return e.Offsets[i][1]
		}
	}
	return 0
}

// ErrNoModel is returned when no model is configured for a task.
var ErrNoModel = errors.New("no model configured")
