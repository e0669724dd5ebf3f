package rollout

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/blake2b"
)

// Verdict is one scanner's answer on one text.
type Verdict struct {
	Flagged bool    `json:"flagged"`
	Risk    float64 `json:"risk"`
}

// Outcome classifies a comparison of the enforced and the shadow verdict.
type Outcome int

// Comparison outcomes. BothFlag and BothPass are agreements.
const (
	BothFlag     Outcome = iota // both flagged the text
	BothPass                    // neither flagged it
	EnforcedOnly                // only the enforced scanner flagged it
	ShadowOnly                  // only the shadow scanner flagged it
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"both_flag", "both_pass", "enforced_only", "shadow_only"}

// String returns the outcome's metric label value.
func (o Outcome) String() string {
	if o >= 0 && o < numOutcomes {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// MarshalText encodes the outcome as its String form.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// Agree reports whether the two verdicts agreed.
func (o Outcome) Agree() bool { return o == BothFlag || o == BothPass }

func compare(enforced, shadow Verdict) Outcome {
	switch {
	case enforced.Flagged && shadow.Flagged:
		return BothFlag
	case enforced.Flagged:
		return EnforcedOnly
	case shadow.Flagged:
		return ShadowOnly
	default:
		return BothPass
	}
}

// Disagreement is one recent text on which the verdicts differed. The text
// itself is never kept: only its BLAKE2b-256 hash (keyed if the Shadow has
// a key), hex-encoded, so that the same text can be found again in a
// corpus without the report holding user data.
type Disagreement struct {
	TextHash     string    `json:"text_hash"`
	Outcome      Outcome   `json:"outcome"`
	EnforcedRisk float64   `json:"enforced_risk"`
	ShadowRisk   float64   `json:"shadow_risk"`
	At           time.Time `json:"at"`
}

// ShadowSnapshot is a Shadow's state at one moment.
type ShadowSnapshot struct {
	Scanner      string  `json:"scanner"`
	Total        uint64  `json:"total"`
	BothFlag     uint64  `json:"both_flag"`
	BothPass     uint64  `json:"both_pass"`
	EnforcedOnly uint64  `json:"enforced_only"`
	ShadowOnly   uint64  `json:"shadow_only"`
	Agreement    float64 `json:"agreement"` // (BothFlag+BothPass)/Total, 0 with no comparisons
	// Recent holds the latest disagreements, newest first.
	Recent []Disagreement `json:"recent"`
}

// ShadowOption configures a Shadow.
type ShadowOption func(*shadowOptions)

type shadowOptions struct {
	reg      prometheus.Registerer
	capacity int
	now      func() time.Time
	key      []byte
}

// WithRegisterer exports llmshield_shadow_comparisons_total{scanner,outcome}
// to reg. Shadows sharing a registerer need distinct scanner names.
func WithRegisterer(reg prometheus.Registerer) ShadowOption {
	return func(o *shadowOptions) { o.reg = reg }
}

// WithCapacity sets how many recent disagreements are kept (default 64;
// 0 keeps none).
func WithCapacity(n int) ShadowOption { return func(o *shadowOptions) { o.capacity = n } }

// WithClock sets the clock stamped on disagreements (default time.Now).
func WithClock(now func() time.Time) ShadowOption { return func(o *shadowOptions) { o.now = now } }

// WithHashKey keys the text hashes (at most 64 bytes), so that short,
// guessable texts cannot be recovered from a report by hashing candidates.
func WithHashKey(key []byte) ShadowOption {
	return func(o *shadowOptions) { o.key = append([]byte(nil), key...) }
}

// DefaultShadowCapacity is the number of disagreements kept by default.
const DefaultShadowCapacity = 64

// Shadow compares, for one scanner, the verdict that was enforced with the
// verdict of a candidate that runs in shadow mode (its answer is recorded,
// never acted on). It is safe for concurrent use.
type Shadow struct {
	scanner string
	now     func() time.Time
	key     []byte
	reg     prometheus.Registerer
	metric  *prometheus.CounterVec
	byOut   [numOutcomes]prometheus.Counter

	mu     sync.Mutex
	counts [numOutcomes]uint64
	ring   []Disagreement // circular, len = capacity
	next   int            // index of the next write
	filled int            // valid entries in ring
}

// NewShadow returns a Shadow for the scanner name (the "scanner" metric
// label: keep the set of names bounded).
func NewShadow(scannerName string, opts ...ShadowOption) (*Shadow, error) {
	if scannerName == "" {
		return nil, errors.New("rollout: shadow scanner name: must not be empty")
	}
	o := shadowOptions{capacity: DefaultShadowCapacity, now: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.capacity < 0 {
		return nil, fmt.Errorf("rollout: shadow %q capacity: must not be negative, got %d", scannerName, o.capacity)
	}
	if len(o.key) > blake2b.Size {
		return nil, fmt.Errorf("rollout: shadow %q hash key: at most %d bytes, got %d", scannerName, blake2b.Size, len(o.key))
	}
	if o.now == nil {
		o.now = time.Now
	}
	s := &Shadow{scanner: scannerName, now: o.now, key: o.key, ring: make([]Disagreement, o.capacity)}
	s.metric = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name:        "llmshield_shadow_comparisons_total",
		Help:        "Enforced vs shadow verdict comparisons by outcome (both_flag, both_pass, enforced_only, shadow_only).",
		ConstLabels: prometheus.Labels{"scanner": scannerName},
	}, []string{"outcome"})
	for i := range numOutcomes {
		s.byOut[i] = s.metric.WithLabelValues(i.String())
	}
	if o.reg != nil {
		if err := o.reg.Register(s.metric); err != nil {
			return nil, fmt.Errorf("rollout: shadow %q: register metrics: %w", scannerName, err)
		}
		s.reg = o.reg
	}
	return s, nil
}

// Scanner returns the scanner name.
func (s *Shadow) Scanner() string { return s.scanner }

// Record compares the two verdicts on text and returns the outcome. The
// text is hashed only when the verdicts disagree and examples are kept.
// Risks are stored clamped to [0, 1], NaN as 0.
func (s *Shadow) Record(text string, enforced, shadow Verdict) Outcome {
	out := compare(enforced, shadow)
	s.byOut[out].Inc()
	var d Disagreement
	keep := !out.Agree() && len(s.ring) > 0
	if keep {
		d = Disagreement{
			TextHash:     s.hash(text),
			Outcome:      out,
			EnforcedRisk: clampRisk(enforced.Risk),
			ShadowRisk:   clampRisk(shadow.Risk),
			At:           s.now(),
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[out]++
	if keep {
		s.ring[s.next] = d
		s.next = (s.next + 1) % len(s.ring)
		s.filled = min(s.filled+1, len(s.ring))
	}
	return out
}

func (s *Shadow) hash(text string) string {
	h, err := blake2b.New256(s.key)
	if err != nil { // the key length is checked in NewShadow
		panic(fmt.Sprintf("rollout: blake2b: %v", err))
	}
	_, _ = h.Write([]byte(text))
	return hex.EncodeToString(h.Sum(nil))
}

func clampRisk(r float64) float64 {
	switch {
	case math.IsNaN(r), r < 0:
		return 0
	case r > 1:
		return 1
	}
	return r
}

// Snapshot returns the counts and the recent disagreements, newest first.
func (s *Shadow) Snapshot() ShadowSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := ShadowSnapshot{
		Scanner:      s.scanner,
		BothFlag:     s.counts[BothFlag],
		BothPass:     s.counts[BothPass],
		EnforcedOnly: s.counts[EnforcedOnly],
		ShadowOnly:   s.counts[ShadowOnly],
		Recent:       make([]Disagreement, 0, s.filled),
	}
	snap.Total = snap.BothFlag + snap.BothPass + snap.EnforcedOnly + snap.ShadowOnly
	if snap.Total > 0 {
		snap.Agreement = float64(snap.BothFlag+snap.BothPass) / float64(snap.Total)
	}
	for i := 1; i <= s.filled; i++ {
		snap.Recent = append(snap.Recent, s.ring[(s.next-i+len(s.ring))%len(s.ring)])
	}
	return snap
}

// Close unregisters the Shadow's metric, so a replacement with the same
// scanner name can register. Recording keeps working.
func (s *Shadow) Close() error {
	if s.reg != nil {
		s.reg.Unregister(s.metric)
	}
	return nil
}
