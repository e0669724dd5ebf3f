package scannertest

import "testing"

// MustWith is Must for a New that takes options (the user model of a
// scanner that may run one, say): it returns build(cfg, opts...), failing
// t at once when build refuses them.
func MustWith[C, S, O any](t testing.TB, build func(C, ...O) (S, error), cfg C, opts ...O) S {
	t.Helper()
	s, err := build(cfg, opts...)
	if err != nil {
		t.Fatalf("%+v: %v", cfg, err)
	}
	return s
}
