package backend

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"google.golang.org/protobuf/encoding/protowire"
)

// ONNX tensor element types (TensorProto.DataType) the backends check.
const (
	ElemFloat = 1
	ElemInt64 = 7
)

// TensorInfo is one graph input or output as the model file declares it.
type TensorInfo struct {
	Name string
	// Tensor is false for a non-tensor value (sequence, map, optional).
	Tensor bool
	// Elem is the ONNX element type of a tensor (ElemFloat, ElemInt64, ...).
	Elem int
}

// ModelIO is the signature of an ONNX graph: its inputs (initializers
// listed as inputs, which old exporters do, are left out: the caller does
// not feed them) and its outputs, in declaration order.
type ModelIO struct {
	Inputs, Outputs []TensorInfo
}

// ErrMalformedModel reports a model file that is not a well-formed ONNX
// protobuf.
var ErrMalformedModel = errors.New("malformed onnx model")

// ReadModelIOFile reads the signature of the ONNX model at path. It streams
// the file and skips the weights without reading them into memory, so it
// costs little next to loading the model, whatever its size.
func ReadModelIOFile(path string) (ModelIO, error) {
	f, err := os.Open(path)
	if err != nil {
		return ModelIO{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ModelIO{}, err
	}
	return readModelIO(f, fi.Size())
}

// ReadModelIO reads the signature of an ONNX model held in memory.
func ReadModelIO(model []byte) (ModelIO, error) {
	return readModelIO(bytes.NewReader(model), int64(len(model)))
}

// ONNX protobuf field numbers (onnx.proto3) read here.
const (
	modelGraph             = 7  // ModelProto.graph
	graphInitializer       = 5  // GraphProto.initializer
	graphInput             = 11 // GraphProto.input
	graphOutput            = 12 // GraphProto.output
	graphSparseInitializer = 15 // GraphProto.sparse_initializer
	sparseValues           = 1  // SparseTensorProto.values
	tensorName             = 8  // TensorProto.name
	valueInfoName          = 1  // ValueInfoProto.name
	valueInfoType          = 2  // ValueInfoProto.type
	typeTensor             = 1  // TypeProto.tensor_type
	tensorTypeElem         = 1  // TypeProto.Tensor.elem_type
)

// maxValueInfo bounds one input or output declaration (a name and a type;
// a few hundred bytes in practice) read into memory.
const maxValueInfo = 1 << 20

func readModelIO(src io.ReadSeeker, size int64) (ModelIO, error) {
	if size == 0 {
		return ModelIO{}, fmt.Errorf("%w: empty file", ErrMalformedModel)
	}
	r := &pbReader{src: src, r: bufio.NewReaderSize(src, 32<<10)}
	var ins, outs []TensorInfo
	inits := map[string]bool{}
	graphs := 0
	err := r.message(size, func(num protowire.Number, n int64) error {
		if num != modelGraph {
			return r.skip(n)
		}
		graphs++
		return r.message(n, func(num protowire.Number, n int64) error {
			switch num {
			case graphInput, graphOutput:
				if n > maxValueInfo {
					return fmt.Errorf("%w: graph input or output of %d bytes", ErrMalformedModel, n)
				}
				b, err := r.bytes(n)
				if err != nil {
					return err
				}
				ti, err := parseValueInfo(b)
				if err != nil {
					return err
				}
				if num == graphInput {
					ins = append(ins, ti)
				} else {
					outs = append(outs, ti)
				}
				return nil
			case graphInitializer:
				name, err := r.tensorName(n)
				inits[name] = true
				return err
			case graphSparseInitializer:
				return r.message(n, func(num protowire.Number, n int64) error {
					if num != sparseValues {
						return r.skip(n)
					}
					name, err := r.tensorName(n)
					inits[name] = true
					return err
				})
			}
			return r.skip(n)
		})
	})
	if err != nil {
		return ModelIO{}, err
	}
	if graphs == 0 {
		return ModelIO{}, fmt.Errorf("%w: no graph", ErrMalformedModel)
	}
	sig := ModelIO{Outputs: outs}
	for _, in := range ins {
		if !inits[in.Name] {
			sig.Inputs = append(sig.Inputs, in)
		}
	}
	if len(sig.Inputs) == 0 || len(sig.Outputs) == 0 {
		return ModelIO{}, fmt.Errorf("%w: graph declares %d inputs and %d outputs", ErrMalformedModel, len(sig.Inputs), len(sig.Outputs))
	}
	return sig, nil
}

// parseValueInfo decodes a ValueInfoProto.
func parseValueInfo(b []byte) (TensorInfo, error) {
	var ti TensorInfo
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch {
		case num == valueInfoName && typ == protowire.BytesType:
			ti.Name = string(v)
		case num == valueInfoType && typ == protowire.BytesType:
			return eachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
				if num != typeTensor || typ != protowire.BytesType {
					return nil
				}
				ti.Tensor = true
				return eachField(v, func(num protowire.Number, typ protowire.Type, _ []byte, x uint64) error {
					if num == tensorTypeElem && typ == protowire.VarintType {
						ti.Elem = int(int32(x))
					}
					return nil
				})
			})
		}
		return nil
	})
	if err == nil && ti.Name == "" {
		err = fmt.Errorf("%w: graph input or output without a name", ErrMalformedModel)
	}
	return ti, err
}

// eachField calls fn for every field of the message b: v holds a
// length-delimited field's bytes, x a varint's value.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: %w", ErrMalformedModel, protowire.ParseError(n))
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("%w: %w", ErrMalformedModel, protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

// pbReader walks a protobuf stream, descending into the messages asked for
// and skipping the rest (the weights) without reading them: a skip past
// the buffer seeks. Lengths are checked against the enclosing message, and
// the outermost one is the file, so a seek never goes past its end.
type pbReader struct {
	src io.ReadSeeker
	r   *bufio.Reader
}

// message reads the fields of a message of size bytes. fn gets each
// length-delimited field with its length and must consume exactly that many
// bytes; other fields are skipped here.
func (p *pbReader) message(size int64, fn func(num protowire.Number, n int64) error) error {
	for size > 0 {
		tag, tn, err := p.uvarint()
		if err != nil {
			return err
		}
		size -= tn
		num, typ := protowire.DecodeTag(tag)
		if num < protowire.MinValidNumber {
			return fmt.Errorf("%w: invalid field number %d", ErrMalformedModel, num)
		}
		var n int64
		switch typ {
		case protowire.VarintType:
			_, vn, err := p.uvarint()
			if err != nil {
				return err
			}
			size -= vn
			continue
		case protowire.Fixed32Type:
			n = 4
		case protowire.Fixed64Type:
			n = 8
		case protowire.BytesType:
			l, ln, err := p.uvarint()
			if err != nil {
				return err
			}
			size -= ln
			if l > uint64(size) {
				return fmt.Errorf("%w: field %d of %d bytes overruns its message", ErrMalformedModel, num, l)
			}
			if err := fn(num, int64(l)); err != nil {
				return err
			}
			size -= int64(l)
			continue
		default:
			return fmt.Errorf("%w: unsupported wire type %d", ErrMalformedModel, typ)
		}
		if n > size {
			return fmt.Errorf("%w: field %d overruns its message", ErrMalformedModel, num)
		}
		if err := p.skip(n); err != nil {
			return err
		}
		size -= n
	}
	if size < 0 {
		return fmt.Errorf("%w: field overruns its message", ErrMalformedModel)
	}
	return nil
}

// tensorName reads a TensorProto of n bytes and returns its name.
func (p *pbReader) tensorName(n int64) (string, error) {
	var name string
	err := p.message(n, func(num protowire.Number, n int64) error {
		if num != tensorName || n > maxValueInfo {
			return p.skip(n)
		}
		b, err := p.bytes(n)
		name = string(b)
		return err
	})
	return name, err
}

func (p *pbReader) uvarint() (v uint64, n int64, err error) {
	for shift := uint(0); shift < 64; shift += 7 {
		c, err := p.r.ReadByte()
		if err != nil {
			return 0, n, truncated(err)
		}
		n++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, n, nil
		}
	}
	return 0, n, fmt.Errorf("%w: varint overflows 64 bits", ErrMalformedModel)
}

func (p *pbReader) skip(n int64) error {
	if b := int64(p.r.Buffered()); n > b {
		if _, err := p.src.Seek(n-b, io.SeekCurrent); err != nil {
			return err
		}
		p.r.Reset(p.src)
		return nil
	}
	_, err := p.r.Discard(int(n))
	return truncated(err)
}

func (p *pbReader) bytes(n int64) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(p.r, b); err != nil {
		return nil, truncated(err)
	}
	return b, nil
}

func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated", ErrMalformedModel)
	}
	return err
}

// elemNames are the ONNX element type names (TensorProto.DataType).
var elemNames = [...]string{1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string",
	9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16"}

// String describes the value's kind, e.g. "int64 tensor".
func (t TensorInfo) String() string {
	if !t.Tensor {
		return "non-tensor value"
	}
	if t.Elem > 0 && t.Elem < len(elemNames) && elemNames[t.Elem] != "" {
		return elemNames[t.Elem] + " tensor"
	}
	return fmt.Sprintf("tensor of element type %d", t.Elem)
}
