package ahocorasick

import (
	"strings"
	"testing"
)

func BenchmarkStarts(b *testing.B) {
	m := New([]string{"ignore", "instructions", "system prompt", "jailbreak", "developer mode", "pretend", "the"})
	text := strings.Repeat("the quick brown fox jumps over the lazy dog while reading a book. ", 200)
	b.Run("AppendStarts", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		var dst []int
		for b.Loop() {
			dst = m.AppendStarts(dst[:0], text)
		}
	})
	b.Run("LastStart", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			if m.LastStart(text) < 0 {
				b.Fatal("no match")
			}
		}
	})
}
