// Package binclass measures a binary classifier: the confusion counts of its
// verdicts and the area under the ROC curve of its scores. llmshield eval
// and the training programs report with it.
package binclass

import (
	"cmp"
	"slices"
)

// Confusion counts a binary classifier's outcomes.
type Confusion struct{ TP, FP, TN, FN int }

// Add counts one prediction.
func (c *Confusion) Add(positive, predicted bool) {
	switch {
	case positive && predicted:
		c.TP++
	case positive:
		c.FN++
	case predicted:
		c.FP++
	default:
		c.TN++
	}
}

// Plus returns the sum of two sets of counts (micro-averaging).
func (c Confusion) Plus(o Confusion) Confusion {
	return Confusion{TP: c.TP + o.TP, FP: c.FP + o.FP, TN: c.TN + o.TN, FN: c.FN + o.FN}
}

// N is the number of predictions counted.
func (c Confusion) N() int { return c.TP + c.FP + c.TN + c.FN }

// Precision is TP / (TP + FP), 0 when nothing was predicted positive.
func (c Confusion) Precision() float64 { return Ratio(c.TP, c.TP+c.FP) }

// Recall is TP / (TP + FN), 0 when there are no positives.
func (c Confusion) Recall() float64 { return Ratio(c.TP, c.TP+c.FN) }

// FPR is the false-positive rate FP / (FP + TN), 0 when there are no
// negatives.
func (c Confusion) FPR() float64 { return Ratio(c.FP, c.FP+c.TN) }

// F1 is the harmonic mean of Precision and Recall, 0 when both are 0.
func (c Confusion) F1() float64 { return F1(c.Precision(), c.Recall()) }

// F1 is the harmonic mean of precision p and recall r, 0 when both are 0.
func F1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Ratio is a/b, 0 when b is 0.
func Ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// AUC is the area under the ROC curve of scores against labels: the
// probability that a random positive scores above a random negative, with
// ties counted as one half (the Mann-Whitney U statistic over midranks).
// ok is false when either class is empty: the AUC is then undefined.
func AUC(scores []float64, pos []bool) (auc float64, ok bool) {
	if len(scores) != len(pos) {
		return 0, false
	}
	var np, nn int
	for _, p := range pos {
		if p {
			np++
		} else {
			nn++
		}
	}
	if np == 0 || nn == 0 {
		return 0, false
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(scores[a], scores[b]) })
	// Sum of the positives' ranks (1-based); a run of tied scores shares
	// the mean of its ranks.
	var rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		mid := float64(i+1+j) / 2 // mean of ranks i+1 … j
		for k := i; k < j; k++ {
			if pos[idx[k]] {
				rankSum += mid
			}
		}
		i = j
	}
	u := rankSum - float64(np)*float64(np+1)/2
	return u / (float64(np) * float64(nn)), true
}
