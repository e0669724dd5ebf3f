package mlscan

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/resilience"
	"github.com/llmshield/llmshield/scanner"
)

// slowModel takes perKiB for every KiB of text it is given (honouring its
// context) and scores texts containing "attack" 0.95: a model whose cost
// grows with the input, as a real one's does.
type slowModel struct {
	fakeModel
	perKiB time.Duration
	mu     sync.Mutex
	seen   int // bytes classified, all calls together
}

func (m *slowModel) Classify(ctx context.Context, text string, mt classifier.MatchType, pos []string) (classifier.Prediction, error) {
	m.mu.Lock()
	m.seen += len(text)
	m.mu.Unlock()
	if m.perKiB > 0 {
		select {
		case <-time.After(time.Duration(len(text)/1024+1) * m.perKiB):
		case <-ctx.Done():
			return classifier.Prediction{}, ctx.Err()
		}
	}
	return m.fakeModel.Classify(ctx, text, mt, pos)
}

// TestLargeInputsCannotOpenBreaker is the attack of issue 11 (1) as a fault
// injection: many concurrent, unique, large prompts against a model whose
// time grows with the input. They must not open the breaker, so small
// prompts afterwards still get the model's verdict.
func TestLargeInputsCannotOpenBreaker(t *testing.T) {
	for _, perKiB := range []time.Duration{2 * time.Millisecond, 100 * time.Millisecond} {
		t.Run(perKiB.String(), func(t *testing.T) {
			m := &slowModel{perKiB: perKiB}
			cfg := DefaultConfig()
			cfg.ML.Cache = cache.Disabled
			cfg.Resilience.CallTimeout = 300 * time.Millisecond
			cfg.Resilience.Breaker = resilience.BreakerConfig{ConsecutiveFailures: 5, CoolDown: time.Minute}
			d := newDetector(t, cfg, fakeModels{m: &m.fakeModel}, nil)
			d.opts.Models = slowModels{m}

			big := strings.Repeat("lorem ipsum dolor sit amet ", 40_000) // ~1 MiB
			var wg sync.WaitGroup
			for i := range 12 {
				wg.Go(func() {
					for j := range 2 {
						text := fmt.Sprintf("%d-%d %s", i, j, big)
						if _, err := d.Scan(context.Background(), scanner.Input{Prompt: text}); err != nil {
							t.Errorf("scan: %v", err)
						}
					}
				})
			}
			wg.Wait()
			if st := d.Guard().State(); st != resilience.StateClosed {
				t.Fatalf("large inputs opened the breaker (%v): %+v", st, d.Guard().Stats())
			}
			st := d.Guard().Stats()
			if perKiB > 10*time.Millisecond && st.Overruns == 0 {
				t.Fatalf("the slow case must overrun its scaled budget (else it tests nothing): %+v", st)
			}
			if perKiB < 10*time.Millisecond && st.Successes != 24 {
				t.Fatalf("capped large inputs must get ML verdicts in time: %+v", st)
			}
			for range 3 {
				r := scan(t, d, "a sneaky attack")
				if r.Method != scanner.MethodML || r.Valid {
					t.Fatalf("small prompt after large ones: method %v valid %v, want an ML verdict", r.Method, r.Valid)
				}
			}
		})
	}
}

type slowModels struct{ m *slowModel }

func (s slowModels) Get(context.Context, classifier.Ref) (Model, error) { return s.m, nil }

func TestPlan(t *testing.T) {
	if b := plan("", 16); b.partial || b.windows != 1 || len(b.spans) != 1 {
		t.Fatalf("empty text: %+v", b)
	}
	fits := strings.Repeat("x", 16*WindowBytes)
	if b := plan(fits, 16); b.partial || b.windows != 16 || b.spans[0] != (span{0, len(fits)}) {
		t.Fatalf("a text within the budget goes whole: %+v", b)
	}
	// Multi-byte runes and words: cuts land on rune starts.
	text := strings.Repeat("Grüße, 世界 and more words ", 20_000)
	for _, maxW := range []int{1, 2, 5, 16} {
		b := plan(text, maxW)
		if !b.partial || b.windows != maxW || len(b.spans) != maxW {
			t.Fatalf("max %d: %+v", maxW, b.windows)
		}
		if b.spans[0].start != 0 {
			t.Fatalf("max %d: the head is not sampled", maxW)
		}
		if maxW > 1 && b.spans[maxW-1].end != len(text) {
			t.Fatalf("max %d: the tail is not sampled", maxW)
		}
		seen := 0
		for i, sp := range b.spans {
			if sp.end-sp.start > WindowBytes || sp.end <= sp.start {
				t.Fatalf("max %d: span %d is %d bytes", maxW, i, sp.end-sp.start)
			}
			if i > 0 && sp.start < b.spans[i-1].end {
				t.Fatalf("max %d: spans overlap", maxW)
			}
			if !utf8.ValidString(text[sp.start:sp.end]) {
				t.Fatalf("max %d: span %d cuts a rune", maxW, i)
			}
			seen += sp.end - sp.start
		}
		if seen > maxW*WindowBytes {
			t.Fatalf("max %d: the model sees %d bytes, over the budget", maxW, seen)
		}
	}
	// Evenly spaced: the gaps between window starts differ by little.
	b := plan(text, 16)
	gap := b.spans[1].start - b.spans[0].start
	for i := 2; i < len(b.spans)-1; i++ {
		if g := b.spans[i].start - b.spans[i-1].start; g < gap-2*slack || g > gap+2*slack {
			t.Fatalf("window %d: gap %d, want about %d", i, g, gap)
		}
	}
}

func TestTimeoutScalesWithWindows(t *testing.T) {
	c := ResilienceConfig{CallTimeout: time.Second, PerWindowTimeout: 50 * time.Millisecond}
	if got := c.timeout(1); got != time.Second {
		t.Fatalf("one window: %s", got)
	}
	if got := c.timeout(16); got != time.Second+15*50*time.Millisecond {
		t.Fatalf("16 windows: %s", got)
	}
	c.PerWindowTimeout = 0
	if got := c.timeout(3); got != time.Second+2*DefaultPerWindowTimeout {
		t.Fatalf("default per-window: %s", got)
	}
}

// TestLargeTextIsSampledAndMarkedPartial: the model sees the head, the
// tail and samples between, never more than the budget; an injection at
// the very end is still found, with offsets into the whole text, and the
// result says the model saw only part of the text.
func TestLargeTextIsSampledAndMarkedPartial(t *testing.T) {
	m := &slowModel{perKiB: 0}
	cfg := DefaultConfig()
	cfg.ML.MaxWindows = 4
	d := newDetector(t, cfg, slowModels{m}, nil)
	text := strings.Repeat("plain words here ", 10_000) + "now attack"
	r := scan(t, d, text)
	if !r.Partial || r.Valid || r.Method != scanner.MethodML {
		t.Fatalf("partial %v valid %v method %v", r.Partial, r.Valid, r.Method)
	}
	if m.seen > 4*WindowBytes {
		t.Fatalf("model saw %d bytes, budget %d", m.seen, 4*WindowBytes)
	}
	f := r.Findings[0]
	if f.End != len(text) || !strings.Contains(text[f.Start:f.End], "attack") {
		t.Fatalf("finding span %d-%d does not point into the whole text (len %d)", f.Start, f.End, len(text))
	}
	if r := scan(t, d, "short and fine"); r.Partial {
		t.Fatal("a short text is not partial")
	}
}

// TestCancelledLargeCallIsNotAFault: the caller giving up on a large input
// counts neither against the model nor as a fallback.
func TestCancelledLargeCallIsNotAFault(t *testing.T) {
	m := &slowModel{perKiB: time.Second}
	cfg := DefaultConfig()
	cfg.Resilience.Breaker = resilience.BreakerConfig{ConsecutiveFailures: 1, CoolDown: time.Minute}
	d := newDetector(t, cfg, slowModels{m}, nil)
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err := d.Scan(ctx, scanner.Input{Prompt: strings.Repeat("big text ", 50_000)})
		cancel()
		if err == nil {
			t.Fatal("a cancelled scan must return the caller's error")
		}
	}
	if st := d.Guard().Stats(); st.State != resilience.StateClosed || st.Failures != 0 || st.Degraded != 0 {
		t.Fatalf("caller cancellation counted: %+v", st)
	}
}
