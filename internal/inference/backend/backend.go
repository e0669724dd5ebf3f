// Package backend defines the small contract between the inference Engine and
// the runtimes that execute ONNX classifiers (ONNX Runtime in package ort,
// GoMLX in package purego).
//
// A Backend opens Sessions; a Session runs one forward pass over a dense,
// already padded batch. Everything above that (validation, micro-batching,
// post-processing) lives in package inference, so backends stay thin.
package backend

import (
	"context"
	"errors"
	"fmt"
)

// Input names the classifiers understand.
const (
	InputIDs      = "input_ids"
	AttentionMask = "attention_mask"
	TokenTypeIDs  = "token_type_ids"
)

// ErrUnavailable reports that a backend cannot run in this process (library
// missing, built without cgo, ...). Wrapped errors carry the reason.
var ErrUnavailable = errors.New("inference backend unavailable")

// ErrOutputShape reports a model output whose shape is not [batch,
// num_labels] or [batch, seq_len, width]. The inference package re-exports
// it.
var ErrOutputShape = errors.New("unexpected model output shape")

// Inputs is one dense batch in row-major order: every slice has Batch*SeqLen
// elements. TokenTypeIDs may be nil; a session whose model declares
// token_type_ids then feeds zeros.
type Inputs struct {
	Batch, SeqLen int
	InputIDs      []int64
	AttentionMask []int64
	TokenTypeIDs  []int64
	// PadID is the token id used for padding; sessions that pad further to
	// reach a cached shape use it (with attention mask 0).
	PadID int64
}

// Validate checks the dimensions of in.
func (in Inputs) Validate() error {
	if in.Batch <= 0 || in.SeqLen <= 0 {
		return fmt.Errorf("invalid batch shape [%d, %d]", in.Batch, in.SeqLen)
	}
	n := in.Batch * in.SeqLen
	if len(in.InputIDs) != n || len(in.AttentionMask) != n {
		return fmt.Errorf("batch shape [%d, %d] needs %d ids and mask values, got %d and %d",
			in.Batch, in.SeqLen, n, len(in.InputIDs), len(in.AttentionMask))
	}
	if in.TokenTypeIDs != nil && len(in.TokenTypeIDs) != n {
		return fmt.Errorf("batch shape [%d, %d] needs %d token type ids, got %d",
			in.Batch, in.SeqLen, n, len(in.TokenTypeIDs))
	}
	return nil
}

// Output holds the model's output in row-major order: logits or pooled
// embeddings [Batch, NumLabels], or per-token outputs [Batch, SeqLen,
// NumLabels] (SeqLen > 0): a token classifier's logits, or an embedding
// model's hidden states (NumLabels is then the hidden width).
type Output struct {
	Logits    []float32
	Batch     int
	NumLabels int
	// SeqLen is 0 for a [batch, n] output, else the token dimension of a
	// [batch, seq_len, width] output (equal to the input's SeqLen).
	SeqLen int
}

// RowLen is the number of values per sample.
func (o Output) RowLen() int {
	if o.SeqLen > 0 {
		return o.SeqLen * o.NumLabels
	}
	return o.NumLabels
}

// Row returns the values of sample i (a view, not a copy).
func (o Output) Row(i int) []float32 {
	n := o.RowLen()
	return o.Logits[i*n : (i+1)*n]
}

// CheckShape validates an output's dimensions for a batch of in: rank 2
// [batch, n] or rank 3 [batch, seq_len, width] with seq_len equal to the
// input's (dims[1] may exceed in.SeqLen when a backend padded further;
// padded is then the padded sequence length, else in.SeqLen).
func CheckShape(name string, dims []int, batch, seqLen int) error {
	switch {
	case len(dims) == 2 && dims[0] == batch && dims[1] > 0:
		return nil
	case len(dims) == 3 && dims[0] == batch && dims[1] == seqLen && dims[2] > 0:
		return nil
	}
	return fmt.Errorf("%w: output %q has shape %v, want [%d, n] or [%d, %d, width]", ErrOutputShape, name, dims, batch, batch, seqLen)
}

// Options configure a session.
type Options struct {
	// IntraOpThreads and InterOpThreads bound the threads one Run may use;
	// 0 lets the backend decide.
	IntraOpThreads int
	InterOpThreads int
	// OptimizationLevel is the graph optimisation level 0 (none) to 3 (all);
	// -1 means the backend default (all).
	OptimizationLevel int
	// Output names the output to read; empty means "logits" when declared,
	// else the first output.
	Output string
}

// Session runs a loaded model. Implementations are safe for concurrent use:
// Run may be called from several goroutines at once.
type Session interface {
	// InputNames are the inputs the model declares, in model order.
	InputNames() []string
	// OutputName is the output read as logits.
	OutputName() string
	// Run executes one forward pass. The result is owned by the caller.
	Run(ctx context.Context, in Inputs) (Output, error)
	// Close releases the session; Run must not be called afterwards.
	Close() error
}

// Backend opens sessions. Implementations are safe for concurrent use.
type Backend interface {
	// Name is the short backend identifier ("ort", "purego").
	Name() string
	// Version describes the runtime (for logs and `llmshield version`).
	Version() string
	OpenFile(ctx context.Context, path string, opts Options) (Session, error)
	OpenBytes(ctx context.Context, model []byte, opts Options) (Session, error)
	// Close releases backend-wide resources once all sessions are closed.
	Close() error
}

// CheckInputs verifies that a model's declared inputs are ones a classifier
// session can feed. It returns whether token_type_ids is declared.
func CheckInputs(names []string) (hasTokenTypes bool, err error) {
	var ids, mask bool
	for _, n := range names {
		switch n {
		case InputIDs:
			ids = true
		case AttentionMask:
			mask = true
		case TokenTypeIDs:
			hasTokenTypes = true
		default:
			return false, fmt.Errorf("model declares unsupported input %q (want %s, %s and optionally %s)",
				n, InputIDs, AttentionMask, TokenTypeIDs)
		}
	}
	if !ids || !mask {
		return false, fmt.Errorf("model inputs %q lack %s or %s", names, InputIDs, AttentionMask)
	}
	return hasTokenTypes, nil
}

// PickOutput chooses the output to read: want when not empty (an error
// when the model does not declare it), else "logits" when declared, else
// the first output.
func PickOutput(names []string, want string) (string, error) {
	if len(names) == 0 {
		return "", errors.New("model declares no outputs")
	}
	if want != "" {
		for _, n := range names {
			if n == want {
				return n, nil
			}
		}
		return "", fmt.Errorf("model has no output %q (it declares %q)", want, names)
	}
	for _, n := range names {
		if n == "logits" {
			return n, nil
		}
	}
	return names[0], nil
}
