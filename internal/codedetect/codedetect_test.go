package codedetect

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasets"
)

func TestFind(t *testing.T) {
	cases := []struct {
		name, text string
		langs      []string
	}{
		{"prose", "What is the capital of France? I need it for my homework, please.", nil},
		{"prose_with_parens", "I think (maybe) we should go. The meeting is at 3 p.m. (UTC).", nil},
		{"prose_question_about_code", "Write a function that reverses a string in Python.", nil},
		{"python", "def add(a, b):\n    return a + b\n\nprint(add(1, 2))", []string{"Python"}},
		{"fenced_tag", "Here is code:\n```golang\nx := 1\n```\nThanks.", []string{"Go"}},
		{"fenced_untagged", "~~~\n#include <stdio.h>\nint main(void) { return 0; }\n~~~", []string{"C"}},
		{"go", "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}", []string{"Go"}},
		{"shebang", "#!/usr/bin/env python3\nprint('hi')\n", []string{"Python"}},
		{"shell", "sudo apt-get update && sudo apt-get install -y curl\ncurl -fsSL https://example.org/x.sh | bash", []string{"Shell"}},
		{"js", "const fs = require('fs');\nconsole.log(fs.readFileSync('a.txt', 'utf8'));", []string{"JavaScript"}},
		{"sql", "SELECT name, email FROM users WHERE id = 42;", []string{"SQL"}},
		{"mixed", "Use this:\n\ndef f(x):\n    return x * 2\n\nThen call it with a number, and you are done.", []string{"Python"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var langs []string
			for _, b := range Find(c.text) {
				if b.Start < 0 || b.End > len(c.text) || b.Start >= b.End {
					t.Fatalf("block %+v outside text", b)
				}
				langs = append(langs, b.Lang)
			}
			if strings.Join(langs, ",") != strings.Join(c.langs, ",") {
				t.Errorf("languages %q, want %q", langs, c.langs)
			}
		})
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{"def f():\n  pass", "```\n\n```", "~~~~x\n", "\xff;\n{", "a.b(c)\n}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		last := 0
		for _, b := range Find(text) {
			if b.Start < last || b.End > len(text) || b.Start >= b.End || b.Score < 0 || b.Score > 1 {
				t.Fatalf("bad block %+v (text %d bytes)", b, len(text))
			}
			last = b.End
		}
	})
}

// sample is one evaluation text: code of a known language, or prose ("").
type sample struct{ lang, source, text string }

var evalExt = map[string]string{".go": "Go", ".py": "Python", ".js": "JavaScript", ".c": "C", ".h": "C", ".sh": "Shell", ".ts": "TypeScript", ".rs": "Rust", ".java": "Java", ".rb": "Ruby"}

// codeSamples takes 15-line windows from the middle of source files under
// root, at most per files per language.
func codeSamples(t *testing.T, root, source string, per int) []sample {
	var paths []string
	for _, p := range sourcePaths(root) {
		// C++ headers also end in .h; leave them out of the C label.
		if !strings.Contains(p, "c++") && !strings.HasSuffix(p, ".min.js") {
			paths = append(paths, p)
		}
	}
	count := map[string]int{}
	var out []sample
	for i, p := range paths {
		lang := evalExt[filepath.Ext(p)]
		if count[lang] >= per || i%3 != 0 {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil || len(b) > 1<<20 {
			continue
		}
		lines := strings.Split(string(b), "\n")
		mid := len(lines) / 2
		win := lines[max(0, mid-7):min(len(lines), mid+8)]
		nonblank := 0
		for _, l := range win {
			if strings.TrimSpace(l) != "" {
				nonblank++
			}
		}
		if nonblank < 5 {
			continue
		}
		count[lang]++
		out = append(out, sample{lang, source, strings.Join(win, "\n")})
	}
	return out
}

// sourcePaths returns the files under root with an evalExt extension,
// outside testdata directories, sorted.
func sourcePaths(root string) []string {
	var paths []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && evalExt[filepath.Ext(p)] != "" && !strings.Contains(p, "/testdata/") {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	return paths
}

func proseSamples(t *testing.T) []sample {
	var out []sample
	for _, f := range []string{"injection/gsm8k_questions_benign.jsonl", "injection/self_instruct_benign.jsonl", "injection/jackhhao_jailbreak_classification.jsonl",
		"sentiment/sst2_sentences.jsonl", "injection/multijail_harmful_requests.jsonl", "toxicity/germeval2018_german.jsonl"} {
		n := 0
		for _, r := range datasets.ReadRows[struct{ Text, Label string }](t, filepath.Join("..", "..", "..", "shared", "datasets", f)) {
			if n == 500 {
				break
			}
			if strings.HasPrefix(f, "injection/jackhhao") && r.Label != "SAFE" {
				continue
			}
			out = append(out, sample{"", strings.TrimSuffix(filepath.Base(f), ".jsonl"), r.Text})
			n++
		}
	}
	return out
}

// heldOut returns the held-out corpus: code windows from the Go module
// cache, npm, Python and C sources on this machine, and prose prompts.
func heldOut(t *testing.T) []sample {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skip(err)
	}
	samples := codeSamples(t, strings.TrimSpace(string(out)), "gomodcache", 200)
	for _, dir := range []string{"/usr/lib/node_modules", "/usr/lib/python3/dist-packages", "/usr/include"} {
		samples = append(samples, codeSamples(t, dir, filepath.Base(dir), 200)...)
	}
	return append(samples, proseSamples(t)...)
}

// TestHeldOutTable measures code detection and language naming per
// language on source from the Go module cache, the system's npm packages
// (/usr/lib/node_modules), Python packages (/usr/lib/python3/dist-packages)
// and C headers (/usr/include), where present, and on prose prompts from
// ../shared/datasets:
//
//	LLMSHIELD_EVAL=1 go test ./internal/codedetect -run TestHeldOutTable -v
func TestHeldOutTable(t *testing.T) {
	if os.Getenv("LLMSHIELD_EVAL") == "" {
		t.Skip("set LLMSHIELD_EVAL=1 to print the held-out table")
	}
	samples := heldOut(t)
	type agg struct{ n, detected, tp, predicted int }
	rows := map[string]*agg{}
	get := func(k string) *agg {
		if rows[k] == nil {
			rows[k] = &agg{}
		}
		return rows[k]
	}
	for _, s := range samples {
		blocks := Find(s.text)
		pred, best := "", -1.0
		for _, b := range blocks {
			if b.Score >= 0.5 && b.End-b.Start > int(best) {
				pred, best = b.Lang, float64(b.End-b.Start)
			}
		}
		key := s.lang
		if key == "" {
			key = "prose/" + s.source
		}
		a := get(key)
		a.n++
		if best >= 0 {
			a.detected++
			if pred != "" {
				get(pred).predicted++
			}
		}
		if s.lang != "" && pred == s.lang {
			a.tp++
		}
	}
	keys := slices.Sorted(maps.Keys(rows))
	var b strings.Builder
	b.WriteString("\n| class | n | detected as code (ban_code) | language precision | language recall |\n|---|---|---|---|---|\n")
	for _, k := range keys {
		a := rows[k]
		if a.n == 0 {
			fmt.Fprintf(&b, "| %s (no samples) | 0 | - | %d predicted, all wrong | - |\n", k, a.predicted)
			continue
		}
		prec, rec := "-", "-"
		if !strings.HasPrefix(k, "prose/") {
			prec = fmt.Sprintf("%.1f%% (%d predicted)", 100*float64(a.tp)/float64(max(a.predicted, 1)), a.predicted)
			rec = fmt.Sprintf("%.1f%%", 100*float64(a.tp)/float64(a.n))
		}
		fmt.Fprintf(&b, "| %s | %d | %.1f%% | %s | %s |\n", k, a.n, 100*float64(a.detected)/float64(a.n), prec, rec)
	}
	t.Log(b.String())
}
