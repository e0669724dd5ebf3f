package toxicity

import (
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

// benignCorpus returns about 400 KB of benign English: SAFE rows of the
// GPTeacher dataset when available, else the golden "pass" cases repeated.
func benignCorpus(b *testing.B) string {
	b.Helper()
	var pass []string
	for _, c := range loadGolden(b) {
		if c.Want == "pass" {
			pass = append(pass, c.Text)
		}
	}
	return scannertest.BenignCorpus(b, 400<<10, pass...)
}

func BenchmarkHeuristicBenign(b *testing.B) {
	h, err := NewHeuristic()
	if err != nil {
		b.Fatal(err)
	}
	text := benignCorpus(b)
	scannertest.BenchCPU(b, len(text), func() {
		if a := h.Analyze(text); a.Risk >= 0.5 {
			b.Fatal("benign corpus flagged")
		}
	})
}

// BenchmarkHeuristicShortPrompt measures the per-call cost on a typical
// short prompt.
func BenchmarkHeuristicShortPrompt(b *testing.B) {
	h, err := NewHeuristic()
	if err != nil {
		b.Fatal(err)
	}
	text := "Can you summarise the attached meeting notes and list the action items for each team member?"
	scannertest.BenchCPU(b, len(text), func() { h.Analyze(text) })
}

func BenchmarkHeuristicToxic(b *testing.B) {
	h, err := NewHeuristic()
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	for _, c := range loadGolden(b) {
		if c.Want == "flag" {
			sb.WriteString(c.Text)
			sb.WriteString("\n")
		}
	}
	text := sb.String()
	scannertest.BenchCPU(b, len(text), func() { h.Analyze(text) })
}

func BenchmarkNewHeuristic(b *testing.B) {
	for b.Loop() {
		if _, err := NewHeuristic(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeuristicAdversarial measures dense trigger words, which start
// many phrase rules, directed-insult look-backs and masked-word lookups:
// the cost must stay linear in the input.
func BenchmarkHeuristicAdversarial(b *testing.B) {
	h, err := NewHeuristic()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, text string }{
		{"you_are_a", strings.Repeat("you are a ", 1000)},
		{"masked", strings.Repeat("f*c*k*i*n*g ", 1000)},
		{"first_person", strings.Repeat("i will will will will ", 1000)},
		{"group", strings.Repeat("jews are all all all ", 1000)},
		{"insults", strings.Repeat("idiot ", 1000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				h.Analyze(c.text)
			}
		})
	}
}
