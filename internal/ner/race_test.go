//go:build race

package ner

// raceEnabled: the race detector slows the model's forward pass about
// tenfold, so the benign-prompt report (which asserts nothing) is skipped.
const raceEnabled = true
