package backend

import (
	"errors"
	"slices"
	"sync"
)

// IO names a session's model inputs and the output it reads; sessions
// embed it for InputNames and OutputName.
type IO struct {
	Inputs []string
	Output string
}

// InputNames returns a copy of the input names.
func (io IO) InputNames() []string { return slices.Clone(io.Inputs) }

// OutputName returns the output's name.
func (io IO) OutputName() string { return io.Output }

// Guard keeps a session's Close from releasing it under a running pass:
// passes hold it shared (Enter, Leave), Close exclusively. The zero value
// is an open session.
type Guard struct {
	mu     sync.RWMutex
	closed bool
}

// Enter starts a pass; it fails once the session is closed. A pass that
// entered must Leave.
func (g *Guard) Enter() error {
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return errors.New("session is closed")
	}
	return nil
}

// Leave ends a pass.
func (g *Guard) Leave() { g.mu.RUnlock() }

// Close waits for running passes to end, then calls release; only the
// first call does, later ones return nil.
func (g *Guard) Close(release func() error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	return release()
}
