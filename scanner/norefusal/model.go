package norefusal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/llmshield/llmshield/internal/hashfeat"
)

// Dim is the number of hash buckets of the built-in model.
const Dim = 1 << 17

const magic = "LSNR1\x00\x00\x00"

// FeatureOptions are the feature settings the model was trained with.
func FeatureOptions() hashfeat.Options {
	return hashfeat.Options{Dim: Dim, MaxBytes: 1024, HeadTokens: 12, HeadRunes: 200}
}

// Model is a logistic regression over hashed n-gram features: P(refusal)
// = sigmoid(Bias + Σ W[i]·x[i]).
type Model struct {
	Bias float32
	W    []float32 // Dim weights
}

// Score returns P(refusal) for text.
func (m *Model) Score(text string) float64 {
	idx, v := hashfeat.Vector(text, FeatureOptions())
	z := float64(m.Bias)
	for _, i := range idx {
		z += float64(m.W[i] * v)
	}
	return 1 / (1 + math.Exp(-z))
}

// Encode serialises the model: magic, dim (uint32), bias and weights
// (float32), little endian.
func (m *Model) Encode() []byte {
	b := make([]byte, 0, len(magic)+8+4*len(m.W))
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(m.W)))
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(m.Bias))
	for _, w := range m.W {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(w))
	}
	return b
}

// DecodeModel parses Encode's output.
func DecodeModel(b []byte) (*Model, error) {
	if len(b) < len(magic)+8 || string(b[:len(magic)]) != magic {
		return nil, errors.New("not a no_refusal model (bad magic)")
	}
	b = b[len(magic):]
	n := binary.LittleEndian.Uint32(b)
	if n != Dim {
		return nil, fmt.Errorf("model has %d buckets, want %d", n, Dim)
	}
	if len(b) != 8+4*int(n) {
		return nil, fmt.Errorf("model is %d bytes, want %d", len(b)+len(magic), len(magic)+8+4*int(n))
	}
	m := &Model{Bias: math.Float32frombits(binary.LittleEndian.Uint32(b[4:])), W: make([]float32, n)}
	for i := range m.W {
		w := math.Float32frombits(binary.LittleEndian.Uint32(b[8+4*i:]))
		if w != w || math.IsInf(float64(w), 0) {
			return nil, fmt.Errorf("weight %d is not finite", i)
		}
		m.W[i] = w
	}
	return m, nil
}
