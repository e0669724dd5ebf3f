package classifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/tokenizer"
)

// Pooling says how an Embedder turns per-token hidden states into one
// sentence vector.
type Pooling string

// Pooling modes.
const (
	// PoolingAuto uses the model's sentence-transformers 1_Pooling/config.json
	// when it has one, else mean pooling.
	PoolingAuto Pooling = "auto"
	// PoolingMean averages the hidden states of the attended tokens (special
	// tokens included, as sentence-transformers does).
	PoolingMean Pooling = "mean"
	// PoolingCLS takes the first token's hidden state (BGE, E5-style [CLS]).
	PoolingCLS Pooling = "cls"
)

// poolingFile is sentence-transformers' pooling configuration.
const poolingFile = "1_Pooling/config.json"

// ParsePooling accepts auto (or empty), mean and cls.
func ParsePooling(s string) (Pooling, error) {
	return parseName(s, "pooling", "auto, mean or cls", map[string]Pooling{"": PoolingAuto, "auto": PoolingAuto, "mean": PoolingMean, "cls": PoolingCLS})
}

// EmbedderOptions configure OpenEmbedder.
type EmbedderOptions struct {
	Options
	// Pooling of per-token outputs (default auto). Models whose output is
	// already one vector per text are not pooled.
	Pooling Pooling
	// Normalize scales every embedding to unit length.
	Normalize bool
}

// Embedder is a loaded sentence-embedding model: its output is either the
// hidden states of every token ([batch, seq_len, width], e.g.
// last_hidden_state), pooled here, or one vector per text ([batch, width],
// e.g. sentence_embedding), used as is. Texts longer than MaxLength tokens
// are truncated, as sentence-transformers does. It is safe for concurrent
// use; WithPooling returns a view sharing the model.
type Embedder struct {
	id, version string
	tok         *tokenizer.Tokenizer
	eng         *inference.Engine
	pooling     Pooling
	normalize   bool
	maxLen      int
}

type embedConfig struct {
	MaxLength  *int   `json:"max_length"`
	PadTokenID *int64 `json:"pad_token_id"`
}

// OpenEmbedder loads the embedding model in files with rt. config.json is
// optional (max_length, pad_token_id are read when present).
func OpenEmbedder(ctx context.Context, rt *inference.Runtime, files registry.Files, opts EmbedderOptions) (*Embedder, error) {
	name := files.Entry.ID
	if files.Model() == "" {
		return nil, fmt.Errorf("model %s: an embedding model needs model.onnx, have %v", name, slices.Sorted(mapsKeys(files.Paths)))
	}
	var ec embedConfig
	if p := files.Config(); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
		if err := json.Unmarshal(data, &ec); err != nil {
			return nil, fmt.Errorf("model %s: config.json: %w", name, err)
		}
		if ec.MaxLength != nil && *ec.MaxLength <= 0 {
			return nil, fmt.Errorf("model %s: config.json max_length: %d must be positive", name, *ec.MaxLength)
		}
		if ec.PadTokenID != nil && *ec.PadTokenID < 0 {
			return nil, fmt.Errorf("model %s: config.json pad_token_id: %d must not be negative", name, *ec.PadTokenID)
		}
	}
	cfgMax, pad := 0, int64(0)
	if ec.MaxLength != nil {
		cfgMax = *ec.MaxLength
	}
	if ec.PadTokenID != nil {
		pad = *ec.PadTokenID
	}
	pooling := opts.Pooling
	if pooling == "" || pooling == PoolingAuto {
		var err error
		if pooling, err = autoPooling(files); err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
	}
	if pooling != PoolingMean && pooling != PoolingCLS {
		return nil, fmt.Errorf("model %s: unknown pooling %q", name, pooling)
	}
	maxLen := modelMaxLen(opts.MaxLength, cfgMax, files.Entry.MaxLength)
	tcfg := tokenizer.DefaultConfig()
	tcfg.MaxLength = maxLen
	tok, err := loadTokenizer(files, tcfg)
	if err != nil {
		return nil, fmt.Errorf("model %s: tokenizer: %w", name, err)
	}
	eng, version, err := openEngine(ctx, rt, files, opts.Options, maxLen, pad)
	if err != nil {
		return nil, err
	}
	return &Embedder{id: name, version: version, tok: tok, eng: eng, pooling: pooling, normalize: opts.Normalize, maxLen: maxLen}, nil
}

// autoPooling reads sentence-transformers' 1_Pooling/config.json: CLS when
// pooling_mode_cls_token is set, mean when pooling_mode_mean_tokens is;
// other modes (max, weighted mean, last token) are refused. Without the
// file: mean.
func autoPooling(files registry.Files) (Pooling, error) {
	p, ok := files.Path(poolingFile)
	if !ok {
		return PoolingMean, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		return "", fmt.Errorf("%s: %w", poolingFile, err)
	}
	on := func(k string) bool { b, _ := c[k].(bool); return b }
	switch {
	case on("pooling_mode_cls_token"):
		return PoolingCLS, nil
	case on("pooling_mode_mean_tokens"):
		return PoolingMean, nil
	}
	return "", fmt.Errorf("%s: pooling mode not supported (want pooling_mode_cls_token or pooling_mode_mean_tokens)", poolingFile)
}

// WithPooling returns an Embedder sharing e's model with another pooling
// (PoolingAuto keeps e's) and normalisation.
func (e *Embedder) WithPooling(p Pooling, normalize bool) (*Embedder, error) {
	c := *e
	switch p {
	case "", PoolingAuto:
	case PoolingMean, PoolingCLS:
		c.pooling = p
	default:
		return nil, fmt.Errorf("unknown pooling %q", p)
	}
	c.normalize = normalize
	return &c, nil
}

// ID returns the model's registry id (or directory).
func (e *Embedder) ID() string { return e.id }

// Version identifies the weights (id and hash prefix).
func (e *Embedder) Version() string { return e.version }

// Pooling returns the pooling applied to per-token outputs.
func (e *Embedder) Pooling() Pooling { return e.pooling }

// Normalized reports whether embeddings are scaled to unit length.
func (e *Embedder) Normalized() bool { return e.normalize }

// MaxLength is the most tokens of one text (longer ones are truncated).
func (e *Embedder) MaxLength() int { return e.maxLen }

// Backend names the inference backend running the model.
func (e *Embedder) Backend() string { return e.eng.Backend() }

// Close releases the model (for every view of it).
func (e *Embedder) Close() error { return e.eng.Close() }

// Embed returns the embedding of one text.
func (e *Embedder) Embed(ctx context.Context, text string) ([]float32, error) {
	out, err := e.EmbedBatch(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// ErrZeroVector is returned when an embedding to normalise has length 0.
var ErrZeroVector = errors.New("embedding is the zero vector")

// EmbedBatch returns the embeddings of texts, in order.
func (e *Embedder) EmbedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	in := make([]inference.Input, len(texts))
	masks := make([][]int, len(texts))
	for i, t := range texts {
		enc, err := e.tok.Encode(t)
		if err != nil {
			return nil, fmt.Errorf("model %s: text %d: %w", e.id, i, err)
		}
		in[i] = inference.Input{InputIDs: enc.IDsInt64(), AttentionMask: enc.AttentionMaskInt64()}
		if e.eng.HasTokenTypeIDs() {
			in[i].TokenTypeIDs = enc.TypeIDsInt64()
		}
		masks[i] = enc.AttentionMask
	}
	ts, err := e.eng.Tensors(ctx, in)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(ts))
	for i, t := range ts {
		v := t.Values
		if t.Tokens > 0 {
			v = pool(t, masks[i], e.pooling)
		}
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("model %s: text %d: %w", e.id, i, inference.ErrNonFinite)
			}
		}
		if e.normalize {
			if v, err = normalized(v); err != nil {
				return nil, fmt.Errorf("model %s: text %d: %w", e.id, i, err)
			}
		} else if t.Tokens == 0 {
			v = slices.Clone(v)
		}
		out[i] = v
	}
	return out, nil
}

// pool reduces per-token vectors to one: the first token's (CLS) or the
// mean over tokens whose attention mask is 1.
func pool(t inference.Tensor, mask []int, p Pooling) []float32 {
	out := make([]float32, t.Width)
	if p == PoolingCLS {
		copy(out, t.Token(0))
		return out
	}
	sum := make([]float64, t.Width)
	n := 0
	for i := 0; i < t.Tokens; i++ {
		if i < len(mask) && mask[i] == 0 {
			continue
		}
		for j, x := range t.Token(i) {
			sum[j] += float64(x)
		}
		n++
	}
	for j := range out {
		out[j] = float32(sum[j] / float64(max(n, 1)))
	}
	return out
}

func normalized(v []float32) ([]float32, error) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 {
		return nil, ErrZeroVector
	}
	n := math.Sqrt(ss)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / n)
	}
	return out, nil
}

// Cosine is the cosine similarity of two vectors of equal length, in
// [-1, 1]; 0 when either is the zero vector.
func Cosine(a, b []float32) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("cosine of vectors of length %d and %d", len(a), len(b))
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0, nil
	}
	return max(-1, min(1, dot/math.Sqrt(na*nb))), nil
}
