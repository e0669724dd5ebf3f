package modelhub

import (
	"testing"

	"github.com/llmshield/llmshield/config"
)

func TestForServing(t *testing.T) {
	if got := ForServing(config.Models{}); got.Threads != 1 || got.InterOpThreads != 1 {
		t.Errorf("auto: threads %d inter-op %d, want 1 and 1", got.Threads, got.InterOpThreads)
	}
	if got := ForServing(config.Models{Threads: 4, InterOpThreads: 2, Backend: "ort"}); got.Threads != 4 || got.InterOpThreads != 2 || got.Backend != "ort" {
		t.Errorf("explicit values changed: %+v", got)
	}
}
