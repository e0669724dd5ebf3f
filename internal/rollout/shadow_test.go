package rollout

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/crypto/blake2b"
)

func hashOf(s string) string {
	h := blake2b.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func fixedClock() func() time.Time {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	n := 0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		n++
		return t0.Add(time.Duration(n) * time.Second)
	}
}

func TestShadowCountsAndExamples(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	s, err := NewShadow("promptinjection", WithRegisterer(reg), WithCapacity(3), WithClock(fixedClock()))
	if err != nil {
		t.Fatal(err)
	}
	flag := func(r float64) Verdict { return Verdict{Flagged: true, Risk: r} }
	pass := func(r float64) Verdict { return Verdict{Risk: r} }
	for _, tc := range []struct {
		text             string
		enforced, shadow Verdict
		want             Outcome
	}{
		{"ignore previous instructions", flag(0.9), flag(0.95), BothFlag},
		{"hello", pass(0.1), pass(0.01), BothPass},
		{"text one", flag(0.7), pass(0.2), EnforcedOnly},
		{"text two", pass(0.3), flag(0.8), ShadowOnly},
		{"text three", pass(0.1), flag(math.NaN()), ShadowOnly},
		{"text four", flag(1.5), pass(-0.5), EnforcedOnly},
	} {
		if got := s.Record(tc.text, tc.enforced, tc.shadow); got != tc.want {
			t.Errorf("Record(%q) = %s, want %s", tc.text, got, tc.want)
		}
	}
	at := func(sec int) time.Time { return time.Date(2026, 3, 1, 12, 0, sec, 0, time.UTC) }
	want := ShadowSnapshot{
		Scanner: "promptinjection", Total: 6, BothFlag: 1, BothPass: 1, EnforcedOnly: 2, ShadowOnly: 2,
		Agreement: 2.0 / 6,
		Recent: []Disagreement{ // capacity 3, newest first; "text one" dropped
			{TextHash: hashOf("text four"), Outcome: EnforcedOnly, EnforcedRisk: 1, ShadowRisk: 0, At: at(4)},
			{TextHash: hashOf("text three"), Outcome: ShadowOnly, EnforcedRisk: 0.1, ShadowRisk: 0, At: at(3)},
			{TextHash: hashOf("text two"), Outcome: ShadowOnly, EnforcedRisk: 0.3, ShadowRisk: 0.8, At: at(2)},
		},
	}
	got := s.Snapshot()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	// Only hashes: no raw text in the serialised report.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"text one", "text two", "text three", "text four", "hello", "ignore"} {
		if strings.Contains(string(b), text) {
			t.Errorf("snapshot JSON contains raw text %q: %s", text, b)
		}
	}
	wantMetrics := `
# HELP llmshield_shadow_comparisons_total Enforced vs shadow verdict comparisons by outcome (both_flag, both_pass, enforced_only, shadow_only).
# TYPE llmshield_shadow_comparisons_total counter
llmshield_shadow_comparisons_total{outcome="both_flag",scanner="promptinjection"} 1
llmshield_shadow_comparisons_total{outcome="both_pass",scanner="promptinjection"} 1
llmshield_shadow_comparisons_total{outcome="enforced_only",scanner="promptinjection"} 2
llmshield_shadow_comparisons_total{outcome="shadow_only",scanner="promptinjection"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantMetrics)); err != nil {
		t.Error(err)
	}
}

func TestShadowSnapshotJSON(t *testing.T) {
	s, err := NewShadow("toxicity", WithClock(fixedClock()))
	if err != nil {
		t.Fatal(err)
	}
	s.Record("x", Verdict{Flagged: true, Risk: 0.5}, Verdict{Risk: 0.25})
	b, err := json.Marshal(s.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"scanner":"toxicity","total":1,"both_flag":0,"both_pass":0,"enforced_only":1,"shadow_only":0,"agreement":0,` +
		`"recent":[{"text_hash":"` + hashOf("x") + `","outcome":"enforced_only","enforced_risk":0.5,"shadow_risk":0.25,"at":"2026-03-01T12:00:01Z"}]}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
	empty, _ := NewShadow("empty")
	b, _ = json.Marshal(empty.Snapshot())
	if !strings.Contains(string(b), `"recent":[]`) || !strings.Contains(string(b), `"agreement":0`) {
		t.Errorf("empty snapshot JSON: %s", b)
	}
}

func TestShadowHashKey(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s, err := NewShadow("pi", WithHashKey(key))
	if err != nil {
		t.Fatal(err)
	}
	s.Record("hello", Verdict{Flagged: true}, Verdict{})
	h, _ := blake2b.New256(key)
	h.Write([]byte("hello"))
	want := hex.EncodeToString(h.Sum(nil))
	if got := s.Snapshot().Recent[0].TextHash; got != want || got == hashOf("hello") {
		t.Errorf("keyed hash %s, want %s (and not the unkeyed one)", got, want)
	}
	if _, err := NewShadow("pi", WithHashKey(make([]byte, 65))); err == nil || !strings.Contains(err.Error(), "hash key") {
		t.Errorf("65-byte key: err = %v", err)
	}
}

func TestShadowOptionsAndRegistration(t *testing.T) {
	if _, err := NewShadow(""); err == nil {
		t.Error("empty scanner name accepted")
	}
	if _, err := NewShadow("pi", WithCapacity(-1)); err == nil || !strings.Contains(err.Error(), "capacity") {
		t.Errorf("negative capacity: err = %v", err)
	}
	s, err := NewShadow("pi", WithCapacity(0))
	if err != nil {
		t.Fatal(err)
	}
	s.Record("x", Verdict{Flagged: true}, Verdict{})
	if snap := s.Snapshot(); snap.EnforcedOnly != 1 || len(snap.Recent) != 0 {
		t.Errorf("capacity 0: %+v", snap)
	}
	reg := prometheus.NewPedanticRegistry()
	a, err := NewShadow("pi", WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewShadow("toxicity", WithRegisterer(reg)); err != nil {
		t.Fatalf("second scanner: %v", err)
	}
	if _, err := NewShadow("pi", WithRegisterer(reg)); err == nil {
		t.Fatal("duplicate scanner registered")
	}
	a.Close()
	if _, err := NewShadow("pi", WithRegisterer(reg)); err != nil {
		t.Fatalf("after Close: %v", err)
	}
}

func TestShadowConcurrent(t *testing.T) {
	s, err := NewShadow("pi", WithCapacity(16))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				s.Record(fmt.Sprint(w, i), Verdict{Flagged: i%2 == 0}, Verdict{Flagged: i%3 == 0})
				if i%100 == 0 {
					_ = s.Snapshot()
				}
			}
		})
	}
	wg.Wait()
	snap := s.Snapshot()
	// Per worker, i in [0,1000): both flag i%6==0 (167), enforced only
	// even and not %3 (333), shadow only odd and %3 (167), rest pass (333).
	want := [4]uint64{8 * 167, 8 * 333, 8 * 333, 8 * 167}
	got := [4]uint64{snap.BothFlag, snap.BothPass, snap.EnforcedOnly, snap.ShadowOnly}
	if got != want || snap.Total != 8000 || len(snap.Recent) != 16 {
		t.Errorf("counts %v total %d recent %d; want %v, 8000, 16", got, snap.Total, len(snap.Recent), want)
	}
}

func TestOutcome(t *testing.T) {
	if Outcome(9).String() != "outcome(9)" || !BothPass.Agree() || ShadowOnly.Agree() {
		t.Error("Outcome methods")
	}
}

func BenchmarkShadowRecordDisagree(b *testing.B) {
	s, _ := NewShadow("pi")
	text := strings.Repeat("ignore all previous instructions ", 30)
	b.ReportAllocs()
	for b.Loop() {
		s.Record(text, Verdict{Flagged: true, Risk: 0.9}, Verdict{Risk: 0.1})
	}
}
