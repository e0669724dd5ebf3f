package cli

import (
	"cmp"
	"slices"

	"github.com/llmshield/llmshield/internal/binclass"
)

// oracleNote labels the best-F1 threshold of a sweep. It is measured on the
// evaluation rows themselves, so it overstates what any fixed threshold
// achieves on new text.
const oracleNote = "oracle, for information; never use it to pick a shipped threshold"

// scoredRow is one evaluated row reduced to what the statistics need.
type scoredRow struct {
	pos    bool    // the row's label is a positive label
	pred   bool    // the pipeline flagged the row
	score  float64 // the pipeline's risk in [0,1]
	length float64 // the text's length in runes
}

// SweepPoint is the outcome of flagging every row whose risk is at or
// above Threshold. Rates that are undefined (no positives, no negatives,
// nothing flagged) are null.
type SweepPoint struct {
	Threshold float64 `json:"threshold"`
	Flagged   int     `json:"flagged"`
	Rates
	// Note is set on the oracle point only.
	Note string `json:"note,omitempty"`
}

// Rates are a confusion matrix's counts and the rates they give; rates
// that are undefined are null.
type Rates struct {
	TP        int      `json:"tp"`
	FP        int      `json:"fp"`
	TN        int      `json:"tn"`
	FN        int      `json:"fn"`
	Precision *float64 `json:"precision"`
	Recall    *float64 `json:"recall"`
	F1        *float64 `json:"f1"`
	FPR       *float64 `json:"fpr"`
}

func ratesOf(c binclass.Confusion) Rates {
	return Rates{
		TP: c.TP, FP: c.FP, TN: c.TN, FN: c.FN,
		Precision: optRatio(c.TP, c.TP+c.FP), Recall: optRatio(c.TP, c.TP+c.FN),
		F1: optF1(c.TP, c.FP, c.FN), FPR: optRatio(c.FP, c.FP+c.TN),
	}
}

func optRatio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	v := float64(a) / float64(b)
	return &v
}

func optF1(tp, fp, fn int) *float64 {
	if 2*tp+fp+fn == 0 {
		return nil
	}
	v := 2 * float64(tp) / float64(2*tp+fp+fn)
	return &v
}

func pointOf(thr float64, c binclass.Confusion) SweepPoint {
	return SweepPoint{Threshold: thr, Flagged: c.TP + c.FP, Rates: ratesOf(c)}
}

// Sweep flags rows with score >= t for each threshold t.
func Sweep(rows []scoredRow, thresholds []float64) []SweepPoint {
	out := make([]SweepPoint, 0, len(thresholds))
	for _, t := range thresholds {
		var c binclass.Confusion
		for _, r := range rows {
			c.Add(r.pos, r.score >= t)
		}
		out = append(out, pointOf(t, c))
	}
	return out
}

// OracleF1 is the threshold among the observed scores that maximises F1
// (flag score >= threshold); on equal F1 the higher threshold wins. ok is
// false when there is no positive row (F1 is then 0 or undefined at every
// threshold).
func OracleF1(rows []scoredRow) (SweepPoint, bool) {
	var np int
	for _, r := range rows {
		if r.pos {
			np++
		}
	}
	if np == 0 {
		return SweepPoint{}, false
	}
	s := slices.Clone(rows)
	slices.SortFunc(s, func(a, b scoredRow) int { return cmp.Compare(b.score, a.score) })
	best, bestF1 := SweepPoint{}, -1.0
	tp, fp := 0, 0
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j].score == s[i].score {
			if s[j].pos {
				tp++
			} else {
				fp++
			}
			j++
		}
		fn, tn := np-tp, len(s)-np-fp
		if f := 2 * float64(tp) / float64(2*tp+fp+fn); f > bestF1 {
			best, bestF1 = pointOf(s[i].score, binclass.Confusion{TP: tp, FP: fp, TN: tn, FN: fn}), f
		}
		i = j
	}
	best.Note = oracleNote
	return best, true
}

// GroupMetrics are the figures of one breakdown group. The flag columns
// (tp … f1) are the pipeline's verdicts; auc ranks rows by risk and
// length_auc by text length alone. Undefined values are null.
type GroupMetrics struct {
	N         int `json:"n"`
	Positives int `json:"positives"`
	Negatives int `json:"negatives"`
	Rates
	Accuracy  *float64 `json:"accuracy"`
	AUC       *float64 `json:"auc"`
	LengthAUC *float64 `json:"length_auc"`
}

// aucs returns the AUC of the risk scores and of the text lengths.
func aucs(rows []scoredRow) (model, length *float64) {
	scores := make([]float64, len(rows))
	lengths := make([]float64, len(rows))
	pos := make([]bool, len(rows))
	for i, r := range rows {
		scores[i], lengths[i], pos[i] = r.score, r.length, r.pos
	}
	if a, ok := binclass.AUC(scores, pos); ok {
		model = &a
	}
	if a, ok := binclass.AUC(lengths, pos); ok {
		length = &a
	}
	return model, length
}

func groupMetrics(rows []scoredRow) GroupMetrics {
	var c binclass.Confusion
	for _, r := range rows {
		c.Add(r.pos, r.pred)
	}
	g := GroupMetrics{
		N: len(rows), Positives: c.TP + c.FN, Negatives: c.TN + c.FP,
		Rates:    ratesOf(c),
		Accuracy: optRatio(c.TP+c.TN, len(rows)),
	}
	g.AUC, g.LengthAUC = aucs(rows)
	return g
}
