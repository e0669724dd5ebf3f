//go:build !cgo

package ort

import (
	"context"
	"errors"
	"fmt"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// ErrNoCgo is returned by New in builds without cgo.
var ErrNoCgo = errors.New("ONNX Runtime backend needs cgo; build with CGO_ENABLED=1 or use the pure-Go backend")

// Runtime is the ONNX Runtime backend. In builds without cgo it cannot be
// created.
type Runtime struct{}

var _ backend.Backend = (*Runtime)(nil)

// New always fails without cgo; the error wraps backend.ErrUnavailable.
func New(Options) (*Runtime, error) {
	return nil, fmt.Errorf("%w: %w", backend.ErrUnavailable, ErrNoCgo)
}

// Name returns "ort".
func (*Runtime) Name() string { return "ort" }

// Version returns an empty string.
func (*Runtime) Version() string { return "" }

// LibraryPath returns an empty string.
func (*Runtime) LibraryPath() string { return "" }

// OpenFile fails without cgo.
func (*Runtime) OpenFile(context.Context, string, backend.Options) (backend.Session, error) {
	return nil, ErrNoCgo
}

// OpenBytes fails without cgo.
func (*Runtime) OpenBytes(context.Context, []byte, backend.Options) (backend.Session, error) {
	return nil, ErrNoCgo
}

// Close does nothing.
func (*Runtime) Close() error { return nil }

// Probe always fails without cgo; the error wraps backend.ErrUnavailable.
func Probe(Options) (lib, version string, err error) {
	return "", "", fmt.Errorf("%w: %w", backend.ErrUnavailable, ErrNoCgo)
}
