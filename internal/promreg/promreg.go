// Package promreg provides a Prometheus registerer for components that are
// rebuilt while their predecessors still run (a Shield swapped on config
// reload): the newest registration of a metric takes over, and closing an
// older component does not unregister its successor's metrics.
package promreg

import (
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Takeover wraps reg. Register replaces an already registered collector
// with the same descriptors instead of failing; Unregister only removes a
// collector that is still the current owner of its descriptors. A nil reg
// gives nil.
func Takeover(reg prometheus.Registerer) prometheus.Registerer {
	if reg == nil {
		return nil
	}
	if t, ok := reg.(*takeover); ok {
		return t
	}
	return &takeover{inner: reg, owner: map[string]prometheus.Collector{}}
}

type takeover struct {
	inner prometheus.Registerer
	mu    sync.Mutex
	owner map[string]prometheus.Collector // descriptor set → current collector
}

func descKey(c prometheus.Collector) string {
	ch := make(chan *prometheus.Desc, 16)
	go func() {
		c.Describe(ch)
		close(ch)
	}()
	var ds []string
	for d := range ch {
		ds = append(ds, d.String())
	}
	slices.Sort(ds)
	return strings.Join(ds, "\n")
}

func (t *takeover) Register(c prometheus.Collector) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.inner.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		t.inner.Unregister(are.ExistingCollector)
		err = t.inner.Register(c)
	}
	if err == nil {
		t.owner[descKey(c)] = c
	}
	return err
}

func (t *takeover) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := t.Register(c); err != nil {
			panic(err)
		}
	}
}

func (t *takeover) Unregister(c prometheus.Collector) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := descKey(c)
	if cur, ok := t.owner[k]; ok && cur != c {
		return false // a successor owns these metrics now
	}
	delete(t.owner, k)
	return t.inner.Unregister(c)
}
