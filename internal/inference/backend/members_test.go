package backend

import (
	"errors"
	"testing"
	"time"
)

type closer struct {
	set    *Members[*closer]
	closed int
	err    error
}

func (c *closer) Close() error {
	c.closed++
	c.set.Remove(c)
	return c.err
}

func TestMembers(t *testing.T) {
	var m Members[*closer]
	boom := errors.New("boom")
	a, b, gone := &closer{set: &m}, &closer{set: &m, err: boom}, &closer{set: &m}
	for _, c := range []*closer{a, b, gone} {
		if !m.Add(c) {
			t.Fatal("Add before Close refused")
		}
	}
	if err := gone.Close(); err != nil || m.Closed() {
		t.Fatalf("member Close: %v, set closed %v", err, m.Closed())
	}
	first, err := m.Close()
	if !first || !errors.Is(err, boom) {
		t.Fatalf("Close = %v, %v; want true and the member's error", first, err)
	}
	if a.closed != 1 || b.closed != 1 || gone.closed != 1 {
		t.Fatalf("closed %d, %d, %d times; want each once", a.closed, b.closed, gone.closed)
	}
	if first, err := m.Close(); first || err != nil {
		t.Fatalf("second Close = %v, %v; want false, nil", first, err)
	}
	if !m.Closed() || m.Add(&closer{set: &m}) {
		t.Fatal("Add after Close accepted")
	}
}

func TestGuard(t *testing.T) {
	var g Guard
	if err := g.Enter(); err != nil {
		t.Fatalf("Enter on an open session: %v", err)
	}
	closed := make(chan error)
	calls := 0
	go func() { closed <- g.Close(func() error { calls++; return nil }) }()
	select {
	case <-closed:
		t.Fatal("Close did not wait for the running pass")
	case <-time.After(20 * time.Millisecond):
	}
	g.Leave()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := g.Close(func() error { calls++; return nil }); err != nil || calls != 1 {
		t.Fatalf("second Close: %v, release called %d times; want nil and once", err, calls)
	}
	if err := g.Enter(); err == nil {
		t.Fatal("Enter after Close succeeded")
	}
}
