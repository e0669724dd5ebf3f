package rollout

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
)

func TestXXH64KnownVector(t *testing.T) {
	// XXH64("", seed 0) from the xxHash specification's test vectors: if
	// this fails, the hash library changed and every sticky decision moved.
	if got := xxhash.Sum64String(""); got != 0xef46db3751d8e999 {
		t.Fatalf("XXH64(\"\") = %#x", got)
	}
}

// Golden assignments. A failure here means users would move between groups
// on upgrade: treat it as a breaking change, not as a test to update.
func TestGoldenAssignments(t *testing.T) {
	e := Experiment{Name: "pi-ml-v2", Groups: []Group{{"control", 1}, {"treatment", 1}, {"treatment-int8", 2}}}
	r := Rollout{Name: "promptinjection", Percent: 50, Sticky: true}
	for _, tc := range []struct {
		user, group string
		inRollout   bool
	}{
		{"alice", "treatment-int8", false},
		{"bob", "treatment-int8", false},
		{"carol", "treatment-int8", true},
		{"dave", "control", false},
		{"user-0", "control", false},
		{"user-1", "treatment-int8", false},
		{"user-42", "treatment", true},
		{"ü", "treatment", false},
	} {
		if got := e.Assign(tc.user).Name; got != tc.group {
			t.Errorf("Assign(%q) = %q, want %q", tc.user, got, tc.group)
		}
		if got := r.Decide(tc.user, ""); got != tc.inRollout {
			t.Errorf("Decide(%q) = %v, want %v", tc.user, got, tc.inRollout)
		}
	}
	if got := e.Assign("").Name; got != "treatment" {
		t.Errorf(`Assign("") = %q, want "treatment"`, got)
	}
	if got := unit(domainExperiment, "pi-ml-v2", "alice"); got != 0.94994124905459143 {
		t.Errorf("unit(experiment) = %.17g", got)
	}
	if got := unit(domainRolloutUser, "promptinjection", "alice"); got != 0.53106041530833747 {
		t.Errorf("unit(rollout) = %.17g", got)
	}
}

func TestRolloutValidate(t *testing.T) {
	for _, tc := range []struct {
		r    Rollout
		want string // "" for valid
	}{
		{Rollout{Name: "pi", Percent: 0}, ""},
		{Rollout{Name: "pi", Percent: 12.5}, ""},
		{Rollout{Name: "pi", Percent: 100}, ""},
		{Rollout{Percent: 10}, "rollout name"},
		{Rollout{Name: "pi", Percent: -1}, `rollout "pi" percent`},
		{Rollout{Name: "pi", Percent: 100.01}, `rollout "pi" percent`},
		{Rollout{Name: "pi", Percent: math.NaN()}, `rollout "pi" percent`},
	} {
		err := tc.r.Validate()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.r, err, tc.want)
		}
	}
}

func TestRolloutExtremes(t *testing.T) {
	for _, tc := range []struct {
		percent float64
		want    bool
	}{{0, false}, {-5, false}, {math.NaN(), false}, {100, true}, {250, true}} {
		for _, sticky := range []bool{true, false} {
			r := Rollout{Name: "pi", Percent: tc.percent, Sticky: sticky, Rand: func() float64 { return 0.999999 }}
			for i := range 1000 {
				if got := r.Decide(fmt.Sprint("u", i), fmt.Sprint("r", i)); got != tc.want {
					t.Fatalf("percent %v sticky %v: Decide = %v, want %v", tc.percent, sticky, got, tc.want)
				}
			}
		}
	}
}

func TestRolloutStickyProportionAndRamp(t *testing.T) {
	const n = 50_000
	r10 := Rollout{Name: "toxicity", Percent: 10, Sticky: true}
	r20 := Rollout{Name: "toxicity", Percent: 20.5, Sticky: true}
	in10, in20 := 0, 0
	for i := range n {
		u := fmt.Sprintf("user-%d", i)
		a, b := r10.Decide(u, "ignored"), r20.Decide(u, "other")
		if a {
			in10++
			if !b {
				t.Fatalf("%s lost the new path when the rollout grew from 10%% to 20.5%%", u)
			}
		}
		if b {
			in20++
		}
		if a != r10.Decide(u, "another request") {
			t.Fatalf("%s: sticky decision changed between requests", u)
		}
	}
	for _, c := range []struct {
		got  int
		want float64
	}{{in10, 0.10}, {in20, 0.205}} {
		if share := float64(c.got) / n; math.Abs(share-c.want) > 0.01 {
			t.Errorf("share %v, want %v ± 0.01", share, c.want)
		}
	}
}

func TestRolloutsAreIndependent(t *testing.T) {
	const n = 50_000
	a := Rollout{Name: "toxicity", Percent: 50, Sticky: true}
	b := Rollout{Name: "promptinjection", Percent: 50, Sticky: true}
	e := Experiment{Name: "toxicity", Groups: []Group{{"a", 1}, {"b", 1}}}
	both, sameAsExp := 0, 0
	for i := range n {
		u := fmt.Sprintf("user-%d", i)
		if a.Decide(u, "") && b.Decide(u, "") {
			both++
		}
		if a.Decide(u, "") == (e.Assign(u).Name == "a") {
			sameAsExp++
		}
	}
	if share := float64(both) / n; math.Abs(share-0.25) > 0.01 {
		t.Errorf("users in both 50%% rollouts: %v, want 0.25 ± 0.01", share)
	}
	if share := float64(sameAsExp) / n; math.Abs(share-0.5) > 0.01 {
		t.Errorf("rollout and experiment of the same name agree on %v of users, want 0.5 ± 0.01", share)
	}
}

func TestRolloutPerRequest(t *testing.T) {
	r := Rollout{Name: "pi", Percent: 30}
	// Keyed: deterministic per request key, independent of the user.
	in := 0
	for i := range 50_000 {
		k := fmt.Sprintf("req-%d", i)
		d := r.Decide("same-user", k)
		if d != r.Decide("other-user", k) {
			t.Fatalf("non-sticky keyed decision depends on the user")
		}
		if d {
			in++
		}
	}
	if share := float64(in) / 50_000; math.Abs(share-0.30) > 0.01 {
		t.Errorf("share %v, want 0.30 ± 0.01", share)
	}
	// No key: the random source decides.
	for _, tc := range []struct {
		rnd  float64
		want bool
	}{{0, true}, {0.2999, true}, {0.3, false}, {0.9, false}} {
		r.Rand = func() float64 { return tc.rnd }
		if got := r.Decide("user", ""); got != tc.want {
			t.Errorf("rand %v: Decide = %v, want %v", tc.rnd, got, tc.want)
		}
		// A sticky rollout without a user ID falls back to the same rule.
		s := r
		s.Sticky = true
		if got := s.Decide("", ""); got != tc.want {
			t.Errorf("sticky, no user, rand %v: Decide = %v, want %v", tc.rnd, got, tc.want)
		}
	}
}

func TestExperimentValidate(t *testing.T) {
	g := func(gs ...Group) []Group { return gs }
	for _, tc := range []struct {
		e    Experiment
		want string
	}{
		{Experiment{Name: "x", Groups: g(Group{"a", 1})}, ""},
		{Experiment{Name: "x", Groups: g(Group{"a", 0.1}, Group{"b", 99})}, ""},
		{Experiment{Groups: g(Group{"a", 1})}, "experiment name"},
		{Experiment{Name: "x"}, `experiment "x" groups: must not be empty`},
		{Experiment{Name: "x", Groups: g(Group{"a", 1}, Group{"", 1})}, "groups[1].name: must not be empty"},
		{Experiment{Name: "x", Groups: g(Group{"a", 1}, Group{"b", 1}, Group{"a", 2})}, `groups[2].name: "a" already used by groups[0]`},
		{Experiment{Name: "x", Groups: g(Group{"a", 0})}, "groups[0].weight"},
		{Experiment{Name: "x", Groups: g(Group{"a", 1}, Group{"b", -1})}, "groups[1].weight"},
		{Experiment{Name: "x", Groups: g(Group{"a", math.NaN()})}, "groups[0].weight"},
		{Experiment{Name: "x", Groups: g(Group{"a", math.Inf(1)})}, "groups[0].weight"},
		{Experiment{Name: "x", Groups: g(Group{"a", math.MaxFloat64}, Group{"b", math.MaxFloat64})}, "sum of the weights overflows"},
	} {
		err := tc.e.Validate()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.e, err, tc.want)
		}
	}
}

func TestAssignDistribution(t *testing.T) {
	const n = 100_000
	for _, groups := range [][]Group{
		{{"control", 1}, {"treatment", 1}},
		{{"control", 1}, {"treatment", 3}},
		{{"a", 0.2}, {"b", 0.3}, {"c", 0.5}},
		{{"heuristic", 70}, {"ml-fp16", 20}, {"ml-int8", 9.5}, {"ml-fp32", 0.5}},
	} {
		e := Experiment{Name: "dist", Groups: groups}
		// A separately built instance with the same content.
		twin := Experiment{Name: string([]byte("dist")), Groups: append([]Group(nil), groups...)}
		counts := map[string]int{}
		for i := range n {
			u := fmt.Sprintf("synthetic-user-%07d", i)
			got := e.Assign(u)
			if got != twin.Assign(u) {
				t.Fatalf("%s: two instances disagree", u)
			}
			counts[got.Name]++
		}
		var total float64
		for _, g := range groups {
			total += g.Weight
		}
		for _, g := range groups {
			share, want := float64(counts[g.Name])/n, g.Weight/total
			if math.Abs(share-want) > 0.01 {
				t.Errorf("%v: group %s share %.4f, want %.4f ± 0.01", groups, g.Name, share, want)
			}
		}
	}
}

func TestAssignInvalid(t *testing.T) {
	if g := (Experiment{Name: "x"}).Assign("u"); g != (Group{}) {
		t.Errorf("no groups: %+v", g)
	}
	if g := (Experiment{Name: "x", Groups: []Group{{"a", 0}, {"b", -1}}}).Assign("u"); g != (Group{}) {
		t.Errorf("no valid weight: %+v", g)
	}
	// Invalid groups are skipped, valid ones still used.
	e := Experiment{Name: "x", Groups: []Group{{"bad", math.NaN()}, {"good", 1}}}
	for i := range 100 {
		if g := e.Assign(fmt.Sprint(i)); g.Name != "good" {
			t.Fatalf("Assign = %+v, want good", g)
		}
	}
}

func FuzzAssign(f *testing.F) {
	f.Add("x", "user", 1.0, 2.0)
	f.Add("", "", 0.0, -1.0)
	f.Add("\x00", "\xff\xfe", math.MaxFloat64, math.SmallestNonzeroFloat64)
	f.Fuzz(func(t *testing.T, name, user string, w1, w2 float64) {
		e := Experiment{Name: name, Groups: []Group{{"a", w1}, {"b", w2}}}
		g := e.Assign(user)
		if g != e.Assign(user) {
			t.Fatal("Assign is not deterministic")
		}
		if e.Validate() == nil && g.Name != "a" && g.Name != "b" {
			t.Fatalf("valid experiment assigned %+v", g)
		}
		r := Rollout{Name: name, Percent: w1, Sticky: true, Rand: func() float64 { return 0.5 }}
		_ = r.Decide(user, user)
	})
}

func BenchmarkAssign(b *testing.B) {
	e := Experiment{Name: "pi-ml-v2", Groups: []Group{{"control", 1}, {"treatment", 1}, {"treatment-int8", 2}}}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Assign("user-1234567890")
	}
}

func BenchmarkDecideSticky(b *testing.B) {
	r := Rollout{Name: "promptinjection", Percent: 25, Sticky: true}
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Decide("user-1234567890", "")
	}
}
