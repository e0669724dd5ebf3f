package binclass

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestConfusionAdd(t *testing.T) {
	var c Confusion
	for _, o := range []struct{ positive, predicted bool }{
		{true, true}, {true, true}, {true, false}, {false, true}, {false, false}, {false, false}, {false, false},
	} {
		c.Add(o.positive, o.predicted)
	}
	if want := (Confusion{TP: 2, FN: 1, FP: 1, TN: 3}); c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
}

func TestConfusionPlus(t *testing.T) {
	a, b := Confusion{TP: 1, FP: 2, TN: 3, FN: 4}, Confusion{TP: 10, FP: 20, TN: 30, FN: 40}
	if got, want := a.Plus(b), (Confusion{TP: 11, FP: 22, TN: 33, FN: 44}); got != want {
		t.Errorf("Plus = %+v, want %+v", got, want)
	}
}

func TestConfusionRates(t *testing.T) {
	for _, tt := range []struct {
		name               string
		c                  Confusion
		n                  int
		prec, rec, f1, fpr float64
	}{
		// p = 2/3, r = 2/5, F1 = 2pr/(p+r) = 1/2, FPR = 1/4.
		{"mixed", Confusion{TP: 2, FP: 1, FN: 3, TN: 3}, 9, 2.0 / 3, 0.4, 0.5, 0.25},
		{"perfect", Confusion{TP: 4, TN: 5}, 9, 1, 1, 1, 0},
		{"all wrong", Confusion{FP: 2, FN: 3}, 5, 0, 0, 0, 1},
		{"no positives predicted", Confusion{FN: 2, TN: 1}, 3, 0, 0, 0, 0},
		{"no negatives", Confusion{TP: 1, FN: 1}, 2, 1, 0.5, 2.0 / 3, 0},
		{"empty", Confusion{}, 0, 0, 0, 0, 0},
	} {
		c := tt.c
		if c.N() != tt.n || !near(c.Precision(), tt.prec) || !near(c.Recall(), tt.rec) || !near(c.F1(), tt.f1) || !near(c.FPR(), tt.fpr) {
			t.Errorf("%s: N %d P %v R %v F1 %v FPR %v; want %d %v %v %v %v", tt.name,
				c.N(), c.Precision(), c.Recall(), c.F1(), c.FPR(), tt.n, tt.prec, tt.rec, tt.f1, tt.fpr)
		}
	}
}

func TestAUC(t *testing.T) {
	for _, tt := range []struct {
		name   string
		scores []float64
		pos    []bool
		want   float64
		ok     bool
	}{
		// 4 pairs: 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 -> 3/4.
		{"classic", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75, true},
		{"perfect", []float64{0, 0.2, 0.7, 0.9}, []bool{false, false, true, true}, 1, true},
		{"inverted", []float64{0.9, 0.7, 0.2, 0}, []bool{false, false, true, true}, 0, true},
		{"all tied", []float64{0.5, 0.5, 0.5}, []bool{true, false, false}, 0.5, true},
		// pos 0.5 vs neg 0.2: 1, vs neg 0.5: 1/2; pos 0.9 vs both: 2 -> 3.5/4.
		{"partial tie", []float64{0.2, 0.5, 0.5, 0.9}, []bool{false, true, false, true}, 0.875, true},
		// Binary scores: (TPR + TNR) / 2 = (2/3 + 3/4) / 2.
		{"binary", []float64{1, 1, 0, 0, 1, 0, 0}, []bool{true, true, true, false, false, false, false}, 17.0 / 24, true},
		{"no negatives", []float64{0.1, 0.2}, []bool{true, true}, 0, false},
		{"no positives", []float64{0.1, 0.2}, []bool{false, false}, 0, false},
		{"empty", nil, nil, 0, false},
		{"length mismatch", []float64{0.1}, []bool{true, false}, 0, false},
	} {
		got, ok := AUC(tt.scores, tt.pos)
		if ok != tt.ok || (ok && !near(got, tt.want)) {
			t.Errorf("%s: AUC = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
