package inference

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestApply(t *testing.T) {
	approx := cmpopts.EquateApprox(0, 1e-12)
	tests := []struct {
		name   string
		post   PostProcessing
		logits []float32
		want   []float64
		err    error
	}{
		{"softmax equal", Softmax, []float32{0, 0}, []float64{0.5, 0.5}, nil},
		{"softmax known", Softmax, []float32{1, 2, 3}, []float64{0.09003057317038046, 0.24472847105479764, 0.6652409557748219}, nil},
		{"softmax huge logits stay finite", Softmax, []float32{1000, 999}, []float64{0.7310585786300049, 0.2689414213699951}, nil},
		{"softmax very negative", Softmax, []float32{-1000, -1001}, []float64{0.7310585786300049, 0.2689414213699951}, nil},
		{"softmax max float", Softmax, []float32{math.MaxFloat32, -math.MaxFloat32}, []float64{1, 0}, nil},
		{"sigmoid", Sigmoid, []float32{0, 2, -2}, []float64{0.5, 0.8807970779778823, 0.11920292202211755}, nil},
		{"sigmoid extremes", Sigmoid, []float32{1000, -1000}, []float64{1, 0}, nil},
		{"nan", Softmax, []float32{1, float32(math.NaN())}, nil, ErrNonFinite},
		{"inf", Sigmoid, []float32{float32(math.Inf(1))}, nil, ErrNonFinite},
		{"empty", Softmax, nil, nil, ErrOutputShape},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.post.Apply(tt.logits)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
			for _, s := range got {
				if math.IsNaN(s) || s < 0 || s > 1 {
					t.Errorf("score %v out of [0,1]", s)
				}
			}
		})
	}
	if _, err := PostProcessing(7).Apply([]float32{1}); err == nil {
		t.Error("unknown post-processing accepted")
	}
}

func TestParsePostProcessing(t *testing.T) {
	for _, p := range []PostProcessing{Softmax, Sigmoid} {
		got, err := ParsePostProcessing(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePostProcessing(%q) = %v, %v", p.String(), got, err)
		}
	}
	if _, err := ParsePostProcessing("argmax"); err == nil {
		t.Error("ParsePostProcessing accepted argmax")
	}
}

func FuzzApply(f *testing.F) {
	f.Add(float32(1), float32(2), float32(3))
	f.Add(float32(math.MaxFloat32), float32(-math.MaxFloat32), float32(0))
	f.Add(float32(math.NaN()), float32(0), float32(0))
	f.Fuzz(func(t *testing.T, a, b, c float32) {
		for _, p := range []PostProcessing{Softmax, Sigmoid} {
			scores, err := p.Apply([]float32{a, b, c})
			if err != nil {
				if !errors.Is(err, ErrNonFinite) {
					t.Fatalf("unexpected error %v", err)
				}
				continue
			}
			sum := 0.0
			for _, s := range scores {
				if math.IsNaN(s) || s < 0 || s > 1 {
					t.Fatalf("%v(%v,%v,%v) gave score %v", p, a, b, c, s)
				}
				sum += s
			}
			if p == Softmax && math.Abs(sum-1) > 1e-9 {
				t.Fatalf("softmax sums to %v", sum)
			}
		}
	})
}
