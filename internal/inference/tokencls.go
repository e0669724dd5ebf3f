package inference

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// Token classification (named-entity recognition and the like): a model
// whose output is per-token logits [batch, sequence, num_labels] with IOB2
// labels in config.json's id2label ("O", "B-PER", "I-PER", ...; a label
// without a B-/I- prefix is its own entity type). TokenLogits runs such a
// model; TokenScores turns logits into per-token probabilities; Aggregate
// groups tokens into entities with byte offsets, with Hugging Face's
// aggregation strategies.

// Aggregation is how token predictions become entities, as Hugging Face's
// token-classification pipeline names them.
type Aggregation string

// Aggregation strategies.
const (
	// AggregateNone reports every token not labelled O as its own entity,
	// with its full label ("B-PER").
	AggregateNone Aggregation = "none"
	// AggregateSimple groups consecutive tokens: a B- label, or an entity
	// type other than the previous token's, starts an entity; the score is
	// the mean of the tokens' probabilities.
	AggregateSimple Aggregation = "simple"
	// AggregateFirst labels each word with its first token's prediction,
	// then groups words as AggregateSimple does.
	AggregateFirst Aggregation = "first"
	// AggregateAverage labels each word with the argmax of its tokens'
	// averaged probabilities.
	AggregateAverage Aggregation = "average"
	// AggregateMax labels each word with its most confident token's label.
	AggregateMax Aggregation = "max"
)

// ParseAggregation checks a strategy name ("" means simple).
func ParseAggregation(s string) (Aggregation, error) {
	switch a := Aggregation(s); a {
	case "":
		return AggregateSimple, nil
	case AggregateNone, AggregateSimple, AggregateFirst, AggregateAverage, AggregateMax:
		return a, nil
	}
	return "", fmt.Errorf("%w: aggregation strategy %q (want none, simple, first, average or max)", ErrInvalidInput, s)
}

// TokenScore is one token's prediction.
type TokenScore struct {
	// Label is the most probable label, Score its probability.
	Label string
	Score float64
	// Probs are the probabilities of every label, in id2label order.
	Probs []float64
}

// Entity is a span of text a token classifier labelled.
type Entity struct {
	// Type is the entity type ("PER"), or the full label with AggregateNone.
	Type string
	// Start and End are byte offsets into the text (End exclusive).
	Start, End int
	// Score is a probability in [0,1].
	Score float64
	// Text is text[Start:End].
	Text string
}

// TokenLogits runs a token classifier: for each sequence its logits, one
// row of num_labels values per input token. Sequences are validated as by
// Logits, grouped by length bucket and run concurrently (bounded by
// MaxConcurrentRuns); the micro-batcher is not used.
func (e *Engine) TokenLogits(ctx context.Context, batch []Input) ([][][]float32, error) {
	if err := e.admit(ctx, batch); err != nil {
		return nil, err
	}
	return runPasses(ctx, e, batch, e.forwardTokens)
}

// forwardTokens runs one pass over ins and returns each sequence's
// per-token logits (padding positions removed).
func (e *Engine) forwardTokens(ctx context.Context, ins []Input) ([][][]float32, error) {
	out, err := e.pass(ctx, ins, func(out backend.Output, seq int) error {
		if out.Batch != len(ins) || out.SeqLen != seq || out.NumLabels <= 0 || len(out.Logits) != out.Batch*seq*out.NumLabels {
			return fmt.Errorf("model %s: %w: got %d logits as [%d, %d, %d] for a batch of [%d, %d]; is it a token classifier?",
				e.name, ErrOutputShape, len(out.Logits), out.Batch, out.SeqLen, out.NumLabels, len(ins), seq)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	L := out.NumLabels
	rows := make([][][]float32, len(ins))
	for r, in := range ins {
		rows[r] = make([][]float32, len(in.InputIDs))
		base := r * out.SeqLen * L
		for j := range rows[r] {
			rows[r][j] = out.Logits[base+j*L : base+(j+1)*L : base+(j+1)*L]
		}
	}
	return rows, nil
}

// TokenScores applies a softmax to each token's logits. Non-finite logits
// and rows of the wrong width are errors.
func TokenScores(logits [][]float32, labels []string) ([]TokenScore, error) {
	out := make([]TokenScore, len(logits))
	for i, row := range logits {
		if len(row) != len(labels) {
			return nil, fmt.Errorf("%w: token %d has %d logits for %d labels", ErrOutputShape, i, len(row), len(labels))
		}
		m := math.Inf(-1)
		for _, v := range row {
			f := float64(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("%w: token %d", ErrNonFinite, i)
			}
			m = max(m, f)
		}
		probs := make([]float64, len(row))
		sum := 0.0
		for j, v := range row {
			probs[j] = math.Exp(float64(v) - m)
			sum += probs[j]
		}
		best := 0
		for j := range probs {
			probs[j] /= sum
			if probs[j] > probs[best] {
				best = j
			}
		}
		out[i] = TokenScore{Label: labels[best], Score: probs[best], Probs: probs}
	}
	return out, nil
}

// WordsBySpan assigns word ids for tokenizers that give every token of a
// word the word's span (HashedWordFeatures): tokens with the same offsets
// as the previous token share its word. Tokens with an empty span (special
// tokens) get -1.
func WordsBySpan(offsets [][2]int) []int {
	out := make([]int, len(offsets))
	w := -1
	for i, o := range offsets {
		switch {
		case o[0] >= o[1]:
			out[i] = -1
			continue
		case i == 0 || offsets[i-1] != o:
			w++
		}
		out[i] = w
	}
	return out
}

// WordsByGap assigns word ids as Hugging Face's pipeline does when the
// tokenizer has no continuing-subword prefix: a token continues the
// previous token's word when it starts where that one ends and the
// character before it is not white space. Empty spans get -1.
func WordsByGap(text string, offsets [][2]int) []int {
	out := make([]int, len(offsets))
	w, prevEnd := -1, -1
	for i, o := range offsets {
		if o[0] >= o[1] {
			out[i] = -1
			continue
		}
		cont := w >= 0 && o[0] == prevEnd && o[0] > 0 && o[0] <= len(text)
		if cont {
			r, _ := utf8.DecodeLastRuneInString(text[:o[0]])
			cont = !unicode.IsSpace(r)
		}
		if !cont {
			w++
		}
		out[i] = w
		prevEnd = o[1]
	}
	return out
}

// Aggregate turns per-token scores into entities. offsets are the tokens'
// byte spans in text; words gives each token's word id (-1: a special
// token, ignored), as from WordsBySpan or WordsByGap; nil means one word
// per token. Entities scoring below threshold are dropped.
func Aggregate(text string, scores []TokenScore, offsets [][2]int, words []int, labels []string, strategy Aggregation, threshold float64) ([]Entity, error) {
	if len(offsets) != len(scores) || words != nil && len(words) != len(scores) {
		return nil, fmt.Errorf("%w: %d scores, %d offsets, %d word ids", ErrInvalidInput, len(scores), len(offsets), len(words))
	}
	for i, o := range offsets {
		if o[0] < 0 || o[1] < o[0] || o[1] > len(text) {
			return nil, fmt.Errorf("%w: token %d offsets %v outside the text (%d bytes)", ErrInvalidInput, i, o, len(text))
		}
	}
	if words == nil {
		words = make([]int, len(scores))
		for i := range words {
			words[i] = i
			if offsets[i][0] >= offsets[i][1] {
				words[i] = -1
			}
		}
	}
	type unit struct {
		label      string
		score      float64
		start, end int
		scores     []float64 // per-token probability of label (simple)
	}
	var units []unit
	switch strategy {
	case AggregateNone, AggregateSimple:
		for i, s := range scores {
			if words[i] < 0 {
				continue
			}
			units = append(units, unit{label: s.Label, score: s.Score, start: offsets[i][0], end: offsets[i][1]})
		}
	case AggregateFirst, AggregateAverage, AggregateMax:
		for i := 0; i < len(scores); {
			if words[i] < 0 {
				i++
				continue
			}
			j := i + 1
			for j < len(scores) && words[j] == words[i] {
				j++
			}
			u := unit{start: offsets[i][0], end: offsets[j-1][1]}
			switch strategy {
			case AggregateFirst:
				u.label, u.score = scores[i].Label, scores[i].Score
			case AggregateMax:
				best := i
				for k := i + 1; k < j; k++ {
					if scores[k].Score > scores[best].Score {
						best = k
					}
				}
				u.label, u.score = scores[best].Label, scores[best].Score
			case AggregateAverage:
				avg := make([]float64, len(labels))
				for k := i; k < j; k++ {
					for l, p := range scores[k].Probs {
						avg[l] += p / float64(j-i)
					}
				}
				b := 0
				for l := range avg {
					if avg[l] > avg[b] {
						b = l
					}
				}
				u.label, u.score = labels[b], avg[b]
			}
			units = append(units, u)
			i = j
		}
	default:
		return nil, fmt.Errorf("%w: aggregation strategy %q", ErrInvalidInput, strategy)
	}
	var out []Entity
	emit := func(typ string, s, e int, score float64) {
		if score >= threshold && e > s {
			out = append(out, Entity{Type: typ, Start: s, End: e, Score: score, Text: text[s:e]})
		}
	}
	if strategy == AggregateNone {
		for _, u := range units {
			if u.label != "O" {
				emit(u.label, u.start, u.end, u.score)
			}
		}
		return out, nil
	}
	var cur *Entity
	var sum float64
	var n int
	flush := func() {
		if cur != nil {
			emit(cur.Type, cur.Start, cur.End, sum/float64(n))
		}
		cur = nil
	}
	for _, u := range units {
		bi, typ := splitIOB(u.label)
		if typ == "" {
			flush()
			continue
		}
		if cur != nil && bi != "B" && cur.Type == typ {
			cur.End = u.end
			sum += u.score
			n++
			continue
		}
		flush()
		cur = &Entity{Type: typ, Start: u.start, End: u.end}
		sum, n = u.score, 1
	}
	flush()
	return out, nil
}

// splitIOB splits "B-PER" into ("B", "PER"); "O" gives ("", ""); a label
// without a prefix is its own type, continued like I-.
func splitIOB(label string) (string, string) {
	if label == "O" || label == "" {
		return "", ""
	}
	if len(label) > 2 && label[1] == '-' && strings.ContainsRune("BIES", rune(label[0])) {
		switch label[0] {
		case 'B', 'S':
			return "B", label[2:]
		}
		return "I", label[2:]
	}
	return "I", label
}
