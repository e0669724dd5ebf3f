package backend

import (
	"errors"
	"io"
	"sync"
)

// Members tracks what an owner (a runtime) opened and has not closed yet,
// so that closing the owner closes them. The zero value is ready to use;
// it is safe for concurrent use.
type Members[T interface {
	comparable
	io.Closer
}] struct {
	mu     sync.Mutex
	closed bool
	open   map[T]struct{}
}

// Closed reports whether Close has been called.
func (m *Members[T]) Closed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// Add records t as open; it returns false, recording nothing, once Close
// has been called.
func (m *Members[T]) Add(t T) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	if m.open == nil {
		m.open = map[T]struct{}{}
	}
	m.open[t] = struct{}{}
	return true
}

// Remove forgets t (a member calls it when it closes itself).
func (m *Members[T]) Remove(t T) {
	m.mu.Lock()
	delete(m.open, t)
	m.mu.Unlock()
}

// Close marks the set closed and closes the members still open (outside
// the lock, so that they may Remove themselves), joining their errors.
// Only the first call does so and returns first true.
func (m *Members[T]) Close() (first bool, err error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return false, nil
	}
	m.closed = true
	open := make([]T, 0, len(m.open))
	for t := range m.open {
		open = append(open, t)
	}
	m.mu.Unlock()
	var errs []error
	for _, t := range open {
		errs = append(errs, t.Close())
	}
	return true, errors.Join(errs...)
}
