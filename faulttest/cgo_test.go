//go:build cgo

package faulttest

// haveCgo says whether the ONNX Runtime backend can be built in.
const haveCgo = true
