package hashfeat

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTokens(t *testing.T) {
	got := Tokens("i can't help, 抱歉我 ok2")
	want := []string{"i", "can't", "help", "抱", "歉", "我", "ok2"}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

func TestVector(t *testing.T) {
	o := Options{Dim: 1 << 10}
	idx, v := Vector("I'm sorry, but I CAN'T help with that.", o)
	if len(idx) == 0 || !slices.IsSorted(idx) || len(slices.Compact(slices.Clone(idx))) != len(idx) {
		t.Fatalf("indices must be sorted and distinct: %v", idx)
	}
	if n := float64(v*v) * float64(len(idx)); n < 0.999 || n > 1.001 {
		t.Errorf("squared norm %v, want 1", n)
	}
	for _, i := range idx {
		if i >= o.Dim {
			t.Fatalf("index %d >= dim", i)
		}
	}
	idx2, _ := Vector("i'm sorry, but i can't help with that.", o)
	if !slices.Equal(idx, idx2) {
		t.Error("case must not change features")
	}
	if idx, v := Vector("  ...  ", o); idx != nil || v != 0 {
		t.Errorf("no features expected, got %v %v", idx, v)
	}
}
