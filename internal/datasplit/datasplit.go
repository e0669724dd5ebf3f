// Package datasplit assigns a labelled text to the train, validation or test
// split exactly as training/split.py does, so that `llmshield eval --split
// test` measures the built-in models on rows they never trained on.
//
// Rule: norm = lowercase(text) with runs of white space collapsed to one
// space and trimmed; h = SHA-256(norm); bucket = big-endian uint64(h[0:8])
// mod 100; buckets 0–79 train, 80–89 validation, 90–99 test.
//
// Go's and Python's lowercasing differ for a handful of characters (e.g.
// U+0130 'İ', which Python lowers to two code points); rows made of such
// text may land in another split than the Python side put them.
package datasplit

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
)

// Split names.
const (
	Train = "train"
	Val   = "val"
	Test  = "test"
)

// Normalize lowercases text and collapses white space.
func Normalize(text string) string {
	return strings.Join(strings.Fields(strings.ToLower(text)), " ")
}

// Bucket returns the text's bucket in [0,100).
func Bucket(text string) int {
	h := sha256.Sum256([]byte(Normalize(text)))
	return int(binary.BigEndian.Uint64(h[:8]) % 100)
}

// Of returns the split of text.
func Of(text string) string {
	switch b := Bucket(text); {
	case b < 80:
		return Train
	case b < 90:
		return Val
	default:
		return Test
	}
}

// Parse checks a split name ("" means all rows).
func Parse(s string) (string, error) {
	switch s {
	case "", Train, Val, Test:
		return s, nil
	case "validation":
		return Val, nil
	}
	return "", fmt.Errorf("unknown split %q (want train, val or test)", s)
}
