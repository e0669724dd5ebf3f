package classifier

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/tokenizer"
)

// DefaultHypothesisTemplate is the zero-shot hypothesis LLM Guard's
// BanTopics uses; "{}" is replaced by the candidate label.
const DefaultHypothesisTemplate = "This example is about {}."

// PairClassifier is a loaded sentence-pair classifier: a natural language
// inference (NLI) cross-encoder that reads a premise and a hypothesis
// together and scores entailment, and on it zero-shot classification.
// The entailment label is found by name in config.json's id2label. It is
// safe for concurrent use.
type PairClassifier struct {
	id, version string
	tok         *tokenizer.Tokenizer
	eng         *inference.Engine
	labels      []string
	entail      int
	contra      int // -1 when the model has no contradiction label
	maxLen      int
}

// labelIndex finds the first label (case-insensitive) with one of the
// prefixes.
func labelIndex(labels []string, prefixes ...string) int {
	for i, l := range labels {
		ll := strings.ToLower(strings.TrimSpace(l))
		for _, p := range prefixes {
			if strings.HasPrefix(ll, p) {
				return i
			}
		}
	}
	return -1
}

// OpenPair loads the NLI model in files with rt. config.json must name an
// entailment label ("entailment", any case) in id2label; a label starting
// with "contradiction" or "not_entailment" is used as the opposite for
// multi-label zero-shot scores. The tokenizer must have a pair template.
func OpenPair(ctx context.Context, rt *inference.Runtime, files registry.Files, opts Options) (*PairClassifier, error) {
	name := files.Entry.ID
	mc, err := loadModelConfig(files, "an NLI model ")
	if err != nil {
		return nil, err
	}
	entail := labelIndex(mc.Labels, "entail")
	if entail < 0 {
		return nil, fmt.Errorf("model %s: config.json id2label %q has no entailment label; is it an NLI model?", name, mc.Labels)
	}
	contra := labelIndex(mc.Labels, "contradict", "not_entail", "non_entail", "not-entail")
	if len(mc.Labels) < 2 {
		return nil, fmt.Errorf("model %s: config.json id2label %q: an NLI model needs at least two labels", name, mc.Labels)
	}
	maxLen := modelMaxLen(opts.MaxLength, mc.MaxLength, files.Entry.MaxLength)
	tcfg := tokenizer.DefaultConfig()
	tcfg.MaxLength = maxLen
	tok, err := loadTokenizer(files, tcfg)
	if err != nil {
		return nil, fmt.Errorf("model %s: tokenizer: %w", name, err)
	}
	if ok, why := tok.SupportsPairs(); !ok {
		return nil, fmt.Errorf("model %s: tokenizer cannot encode sentence pairs: %s", name, why)
	}
	eng, version, err := openEngine(ctx, rt, files, opts, maxLen, mc.PadTokenID)
	if err != nil {
		return nil, err
	}
	return &PairClassifier{id: name, version: version, tok: tok, eng: eng, labels: mc.Labels, entail: entail, contra: contra, maxLen: maxLen}, nil
}

func modelMaxLen(vals ...int) int {
	for _, v := range vals {
		if v > 0 {
			return v
		}
	}
	return tokenizer.DefaultMaxLength
}

func loadTokenizer(files registry.Files, cfg tokenizer.Config) (*tokenizer.Tokenizer, error) {
	p := files.Tokenizer()
	if p == "" {
		for _, n := range []string{"spiece.model", "spm.model", "sentencepiece.bpe.model", "tokenizer.model"} {
			if q, ok := files.Path(n); ok {
				p = q
				break
			}
		}
	}
	if p == "" {
		p = files.Dir
	}
	return tokenizer.Load(p, cfg)
}

// openEngine identifies the weights in files (modelVersion) and opens
// them with rt for up to maxLen tokens, padded with pad unless opts say
// otherwise. Errors name the model.
func openEngine(ctx context.Context, rt *inference.Runtime, files registry.Files, opts Options, maxLen int, pad int64) (*inference.Engine, string, error) {
	version, err := modelVersion(files)
	if err != nil {
		return nil, "", fmt.Errorf("model %s: %w", files.Entry.ID, err)
	}
	eo := opts.Engine
	if eo.Name == "" {
		eo.Name = files.Entry.ID
	}
	eo.MaxLength = maxLen
	if eo.PadID == 0 {
		eo.PadID = pad
	}
	eng, err := rt.Open(ctx, files.Model(), eo)
	if err != nil {
		return nil, "", fmt.Errorf("model %s: %w", files.Entry.ID, err)
	}
	return eng, version, nil
}

// ID returns the model's registry id (or directory).
func (c *PairClassifier) ID() string { return c.id }

// Version identifies the weights (id and hash prefix).
func (c *PairClassifier) Version() string { return c.version }

// Labels returns the model's labels in output order.
func (c *PairClassifier) Labels() []string { return slices.Clone(c.labels) }

// EntailmentLabel names the label read as entailment.
func (c *PairClassifier) EntailmentLabel() string { return c.labels[c.entail] }

// MaxLength is the most tokens of one pair (longer pairs are truncated,
// the longer text first).
func (c *PairClassifier) MaxLength() int { return c.maxLen }

// Backend names the inference backend running the model.
func (c *PairClassifier) Backend() string { return c.eng.Backend() }

// Close releases the model.
func (c *PairClassifier) Close() error { return c.eng.Close() }

// logits encodes and runs the pairs (premise, hypotheses[i]).
func (c *PairClassifier) logits(ctx context.Context, premise string, hypotheses []string) ([][]float32, error) {
	in := make([]inference.Input, len(hypotheses))
	for i, h := range hypotheses {
		enc, err := c.tok.EncodePair(premise, h)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", c.id, err)
		}
		in[i] = inference.Input{InputIDs: enc.IDsInt64(), AttentionMask: enc.AttentionMaskInt64()}
		if c.eng.HasTokenTypeIDs() {
			in[i].TokenTypeIDs = enc.TypeIDsInt64()
		}
	}
	rows, err := c.eng.Logits(ctx, in)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if len(r) != len(c.labels) {
			return nil, fmt.Errorf("model %s: %w: %d logits for the %d labels of config.json", c.id, inference.ErrOutputShape, len(r), len(c.labels))
		}
		for _, v := range r {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("model %s: %w", c.id, inference.ErrNonFinite)
			}
		}
	}
	return rows, nil
}

// Classify returns the softmax probabilities of every label for the pair.
func (c *PairClassifier) Classify(ctx context.Context, premise, hypothesis string) (inference.InferenceResult, error) {
	rows, err := c.logits(ctx, premise, []string{hypothesis})
	if err != nil {
		return inference.InferenceResult{}, err
	}
	return inference.NewResult(rows[0], c.labels, inference.Softmax)
}

// Entailment is the probability that premise entails hypothesis (softmax
// over all the model's labels).
func (c *PairClassifier) Entailment(ctx context.Context, premise, hypothesis string) (float64, error) {
	r, err := c.Classify(ctx, premise, hypothesis)
	if err != nil {
		return 0, err
	}
	s, _ := r.Score(c.labels[c.entail])
	return s, nil
}

// ZeroShot scores how much text is about each candidate label, the way
// Hugging Face's zero-shot-classification pipeline does: each candidate is
// put into template (its "{}" replaced by the label) as a hypothesis with
// text as the premise. With multiLabel each score is the entailment
// probability against contradiction (softmax over those two logits; over
// all labels when the model has no contradiction label), independent of
// the other candidates; without it the scores are a softmax of the
// entailment logits over the candidates (they sum to 1). A single
// candidate is always scored multi-label. Scores are in candidate order.
func (c *PairClassifier) ZeroShot(ctx context.Context, text string, candidates []string, template string, multiLabel bool) ([]float64, error) {
	if len(candidates) == 0 {
		return nil, fmt.Errorf("model %s: zero-shot classification needs at least one candidate label", c.id)
	}
	if template == "" {
		template = DefaultHypothesisTemplate
	}
	if strings.Count(template, "{}") != 1 {
		return nil, fmt.Errorf("model %s: hypothesis template %q must contain {} exactly once", c.id, template)
	}
	hyps := make([]string, len(candidates))
	for i, l := range candidates {
		hyps[i] = strings.Replace(template, "{}", l, 1)
	}
	rows, err := c.logits(ctx, text, hyps)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(rows))
	if multiLabel || len(candidates) == 1 {
		for i, r := range rows {
			if c.contra >= 0 {
				out[i] = softmax2(float64(r[c.entail]), float64(r[c.contra]))
				continue
			}
			res, err := inference.NewResult(r, c.labels, inference.Softmax)
			if err != nil {
				return nil, err
			}
			out[i], _ = res.Score(c.labels[c.entail])
		}
		return out, nil
	}
	m := math.Inf(-1)
	for _, r := range rows {
		m = max(m, float64(r[c.entail]))
	}
	var sum float64
	for i, r := range rows {
		out[i] = math.Exp(float64(r[c.entail]) - m)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out, nil
}

// softmax2 is exp(a)/(exp(a)+exp(b)), computed stably.
func softmax2(a, b float64) float64 { return 1 / (1 + math.Exp(b-a)) }
