// Package promreg provides a Prometheus registerer for components that are
// rebuilt while their predecessors still run (a Shield swapped on config
// reload): the newest registration of a metric takes over, and closing an
// older component does not unregister its successor's metrics.
package promreg

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Takeover wraps reg. Register replaces an already registered collector
// with the same descriptors instead of failing; Unregister only removes a
// collector that is still the one registered under its descriptors. The
// wrapped registerer itself is the record of who is registered, so any
// number of Takeover wrappers of one registry agree. A nil reg gives nil.
func Takeover(reg prometheus.Registerer) prometheus.Registerer {
	if reg == nil {
		return nil
	}
	if t, ok := reg.(takeover); ok {
		return t
	}
	return takeover{inner: reg}
}

type takeover struct{ inner prometheus.Registerer }

func (t takeover) Register(c prometheus.Collector) error {
	err := t.inner.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		t.inner.Unregister(are.ExistingCollector)
		err = t.inner.Register(c)
	}
	return err
}

func (t takeover) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := t.Register(c); err != nil {
			panic(err)
		}
	}
}

// Unregister removes c only when c itself is what is registered under its
// descriptors: a successor that took them over keeps them.
func (t takeover) Unregister(c prometheus.Collector) bool {
	err := t.inner.Register(c)
	var are prometheus.AlreadyRegisteredError
	switch {
	case err == nil:
		t.inner.Unregister(c) // c was not registered: leave things as they were
		return false
	case errors.As(err, &are) && are.ExistingCollector == c:
		return t.inner.Unregister(c)
	}
	return false
}
