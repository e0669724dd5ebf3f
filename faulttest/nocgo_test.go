//go:build !cgo

package faulttest

const haveCgo = false
