package scanner

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"testing"
)

func TestEnumsRoundTrip(t *testing.T) {
	for m := MethodHeuristic; m <= MethodMLUnavailable; m++ {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var back DetectionMethod
		if err := json.Unmarshal(b, &back); err != nil || back != m {
			t.Fatalf("%v: %s → %v %v", m, b, back, err)
		}
	}
}

func TestClampRisk(t *testing.T) {
	for in, want := range map[float64]float64{-1: 0, 0.5: 0.5, 2: 1, math.Inf(1): 1} {
		if got := ClampRisk(in); got != want {
			t.Errorf("ClampRisk(%v) = %v", in, got)
		}
	}
	if ClampRisk(math.NaN()) != 1 {
		t.Error("NaN risk must clamp to 1 (fail closed)")
	}
}

func TestVaultRoundTrip(t *testing.T) {
	v := NewVault(0)
	p1 := v.Placeholder("email_address", "a@b.c")
	p2 := v.Placeholder("EMAIL_ADDRESS", "x@y.z")
	if p1 != "[REDACTED_EMAIL_ADDRESS_1]" || p2 != "[REDACTED_EMAIL_ADDRESS_2]" {
		t.Fatalf("placeholders %q %q", p1, p2)
	}
	if v.Placeholder("EMAIL_ADDRESS", "a@b.c") != p1 {
		t.Fatal("same original must get the same placeholder")
	}
	if got := v.Deanonymize("mail " + p1 + " and " + p2); got != "mail a@b.c and x@y.z" {
		t.Fatalf("deanonymize: %q", got)
	}
}

func TestVaultBoundedAndConcurrent(t *testing.T) {
	v := NewVault(100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				p := v.Placeholder("PERSON", fmt.Sprintf("p%d-%d", g, i))
				v.Deanonymize(p)
			}
		})
	}
	wg.Wait()
	if v.Len() != 100 {
		t.Fatalf("vault holds %d pairs, want the bound 100", v.Len())
	}
	v.Clear()
	if v.Len() != 0 {
		t.Fatal("clear")
	}
}
