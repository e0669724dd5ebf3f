package promreg

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestTakeover(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	tr := Takeover(reg)
	newCounter := func() prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: "x_total", Help: "x"})
	}
	old := newCounter()
	if err := tr.Register(old); err != nil {
		t.Fatal(err)
	}
	old.Add(3)
	successor := newCounter()
	if err := tr.Register(successor); err != nil {
		t.Fatalf("second registration must take over: %v", err)
	}
	successor.Add(1)
	if tr.Unregister(old) {
		t.Fatal("closing the old component must not remove its successor's metric")
	}
	if n, err := testutil.GatherAndCount(reg, "x_total"); err != nil || n != 1 {
		t.Fatalf("count %d %v", n, err)
	}
	if got := testutil.ToFloat64(successor); got != 1 {
		t.Fatalf("successor value %v", got)
	}
	if !tr.Unregister(successor) {
		t.Fatal("the owner can unregister")
	}
	if n, _ := testutil.GatherAndCount(reg, "x_total"); n != 0 {
		t.Fatal("metric still registered")
	}
	if Takeover(nil) != nil {
		t.Fatal("nil in, nil out")
	}
}

// TestSeparateWrappersAgree: detectors wrap the same registry separately;
// closing the old one must still leave its successor's metric in place.
func TestSeparateWrappersAgree(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	mk := func() prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: "y_total", Help: "y"})
	}
	old, successor := mk(), mk()
	if err := Takeover(reg).Register(old); err != nil {
		t.Fatal(err)
	}
	if err := Takeover(reg).Register(successor); err != nil {
		t.Fatal(err)
	}
	if Takeover(reg).Unregister(old) {
		t.Fatal("a separate wrapper removed the successor's metric")
	}
	if n, _ := testutil.GatherAndCount(reg, "y_total"); n != 1 {
		t.Fatalf("series %d, want 1", n)
	}
	if !Takeover(reg).Unregister(successor) {
		t.Fatal("the owner can unregister through any wrapper")
	}
	if Takeover(reg).Unregister(successor) {
		t.Fatal("unregistering twice must report false")
	}
}
