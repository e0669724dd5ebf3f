// Package codedetect finds source code in text and names its language, for
// the code and ban_code scanners. It uses, in order of reliability:
//
//  1. Fenced code blocks (``` or ~~~): the block is code; its info string
//     ("py", "golang", "sh") names the language through Linguist's aliases.
//  2. A shebang line (#!/usr/bin/env python3): Linguist's interpreters.
//  3. Outside fences, lines are scored for code: statement endings (; { }),
//     keywords at the start of a line (def, func, #include, const, echo,
//     ...), calls without a space before the parenthesis, operators such as
//     := => -> == && and indentation; runs of such lines are code blocks.
//     Prose rarely has two of these signals on one line.
//  4. The language of an unfenced or untagged block comes from per-language
//     syntax cues; when two or more languages score close, Linguist's
//     naive-Bayes classifier chooses among those candidates only.
//     Unrestricted, it calls Python "JavaScript" and prose "Ruby", so it is
//     never asked without a short candidate list.
//
// The cues were written from the languages' syntax, not fitted to data;
// the evaluation in scanner/code/README.md measures them on code and prose
// they were never tuned on.
//
// # Why not go-enry
//
// Linguist's data came from go-enry (github.com/go-enry/go-enry/v2), which
// this package imported until the package initialisation of its data cost
// every llmshield process about 116 ms and 15 MB at start-up (GODEBUG=
// inittrace=1), whether or not a code scanner was configured: Go runs a
// package's init whenever it is linked. Only a sliver of that data is used
// here, so the tables of it that we need are generated from go-enry into
// linguist_names.go (names, aliases, interpreters; static data) and
// linguist_tokens.bin (the classifier's priors and token log probabilities
// for the languages of langCueSpecs; read on first use), and the shebang
// parsing, tokenizer and classifier are our own code. go-enry stays a test
// dependency: the tests regenerate the tables and compare them byte for
// byte, and check the lookups, the classifier and Language against go-enry
// itself.
package codedetect

import (
	"regexp"
	"strings"
	"sync"

	"github.com/llmshield/llmshield/internal/mdfence"
)

// Block is one piece of code found in a text: text[Start:End].
type Block struct {
	Start, End int
	// Lang is the Linguist language name ("Python", "Go"), or "" when
	// unknown.
	Lang string
	// Score in [0,1] says how surely the block is code (1 for fences).
	Score float64
	// Fenced is true for a fenced code block.
	Fenced bool
}

type cue struct {
	re *regexp.Regexp
	w  float64
	// may reports whether the cue can match the trimmed line; nil means
	// always. It spares prose lines most regular expressions.
	may func(t string) bool
}

// cueSpec is a cue before its pattern is compiled.
type cueSpec struct {
	pattern string
	w       float64
	may     func(t string) bool
}

// cueSet holds the compiled cues.
type cueSet struct {
	line  []cue
	prose *regexp.Regexp
	lang  map[string][]cue
}

// cues compiles the cue tables on first use rather than at package
// initialisation, which every llmshield process pays whether or not it
// looks for code; the result is never modified.
var cues = sync.OnceValue(func() *cueSet {
	compile := func(specs []cueSpec) []cue {
		out := make([]cue, len(specs))
		for i, c := range specs {
			out[i] = cue{regexp.MustCompile(c.pattern), c.w, c.may}
		}
		return out
	}
	cs := &cueSet{line: compile(lineCueSpecs), prose: regexp.MustCompile(proseLinePattern), lang: map[string][]cue{}}
	for lang, specs := range langCueSpecs {
		cs.lang[lang] = compile(specs)
	}
	return cs
})

func has(chars string) func(string) bool {
	return func(t string) bool { return strings.ContainsAny(t, chars) }
}

// hasPair reports whether t has two adjacent operator characters, which
// every alternative of the operator cue needs.
func hasPair(t string) bool {
	const ops = ":=>-&|+<$!{("
	for i := 0; i+1 < len(t); i++ {
		if strings.IndexByte(ops, t[i]) >= 0 && strings.IndexByte(ops, t[i+1]) >= 0 {
			return true
		}
	}
	return false
}

// lineCueSpecs mark a line as code; weights add up and are capped at 1.
var lineCueSpecs = []cueSpec{
	{`^\s*(def|class)\s+\w+.*:\s*$`, 1, nil},
	{`^\s*(from\s+[\w.]+\s+import\s+\S|import\s+[\w.]+(\s+as\s+\w+)?\s*;?\s*$|import\s+["'{]|package\s+[\w.]+;?\s*$)`, 1, nil},
	{`^\s*(func|fn|pub fn|fun|function|sub|proc)\s+\w*\s*[(<]`, 1, nil},
	{`^\s*#\s*(include|define|ifndef|ifdef|endif|pragma)\b`, 1, nil},
	{`^\s*(public|private|protected|static|final|internal)\s+[\w<>\[\], ]+[({;=]`, 1, nil},
	{`^\s*(const|let|var|val|auto|int|char|float|double|bool|string|void)\s+[\w*&]+\s*(:\s*\w+\s*)?(=|;|\()`, 0.75, nil},
	{`^\s*(if|elif|for|while|switch|catch|foreach|unless)\b.*[:{]\s*$|^\s*(else|try|finally|do)\s*[:{]\s*$`, 0.75, nil},
	{`^\s*(return|yield|await|raise|throw|break|continue|pass)\b[^.!?]*;?\s*$`, 0.5, nil},
	{`[;{]\s*(//.*|/\*.*|#.*)?$`, 0.5, has(";{")},
	{`^\s*[}\])]+[;,)]*\s*$`, 0.75, nil},
	{`\b[A-Za-z_][\w.]*(\[[^\]]*\])?\((\)|[^\s)])`, 0.25, has("(")},
	{`:=|=>|->|::|===|!==|==|!=|&&|\|\||\+=|-=|\+\+|<<|>>|\$\(|\$\{|\{\{`, 0.5, hasPair},
	{`^\s*[A-Za-z_][\w.\[\]"']*\s*=\s*[^=\s]`, 0.5, has("=")},
	{`^\s*(\$\s+)?(echo|export|cd|sudo|apt-get|apt|pip3?|npm|npx|yarn|git|curl|wget|chmod|chown|mkdir|rm|ls|cat|grep|docker|kubectl|make|go|python3?|node)\s+-{0,2}[\w./$"'-]`, 0.5, nil},
	{`^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|ALTER TABLE|DROP TABLE)\b`, 1, nil},
	{`^\s*</?[a-zA-Z][\w-]*(\s+[\w-]+(=("[^"]*"|'[^']*'))?)*\s*/?>`, 0.75, nil},
	{`^\s*(//|/\*|\*/|# |--\s)`, 0.25, nil},
	{`^(\t| {4})`, 0.25, nil},
}

// proseLinePattern is a line that reads as a sentence: mostly words,
// ending in sentence punctuation.
const proseLinePattern = `^\s*([A-Z\p{Lu}][\p{L}'’,-]*\s+)([\p{L}\d'’,;:()"“”-]+\s+){3,}[\p{L}\d'’)"”]+[.!?]["”)]?\s*$`

// LineScore returns how code-like one line is, in [0,1].
// A line longer than 1 KB is scored on its first kilobyte.
func LineScore(line string) float64 {
	if len(line) > 1024 {
		line = line[:1024]
	}
	t := strings.TrimSpace(line)
	if t == "" {
		return 0
	}
	if strings.HasPrefix(t, "#!/") {
		return 1
	}
	cs := cues()
	s := 0.0
	for _, c := range cs.line {
		if (c.may == nil || c.may(t)) && c.re.MatchString(line) {
			s += c.w
		}
	}
	if s > 0 && cs.prose.MatchString(line) {
		s -= 0.75
	}
	return min(max(s, 0), 1)
}

// blockMinScore is the mean line score a run of unfenced lines needs.
const blockMinScore = 0.5

type line struct {
	a, b  int
	score float64
}

// Find returns the code blocks of text, in order.
func Find(text string) []Block {
	var out []Block
	var run []line // unfenced lines waiting to be grouped
	for i := 0; i < len(text); {
		marker, info, lineEnd := mdfence.Opening(text, i)
		if marker != "" {
			out = appendRuns(out, text, run)
			run = run[:0]
			body := min(lineEnd+1, len(text))
			end, next := mdfence.Close(text, body, marker)
			if strings.TrimSpace(text[body:end]) != "" {
				lang := ""
				if tag, _, _ := strings.Cut(info, " "); tag != "" {
					lang, _ = LanguageByAlias(strings.TrimPrefix(strings.ToLower(tag), "."))
				}
				if lang == "" {
					lang = Language(text[body:end])
				}
				out = append(out, Block{Start: body, End: end, Lang: lang, Score: 1, Fenced: true})
			}
			i = next
			continue
		}
		run = append(run, line{i, lineEnd, LineScore(text[i:lineEnd])})
		i = lineEnd + 1
	}
	return appendRuns(out, text, run)
}

// appendRuns groups consecutive unfenced lines into code blocks: runs that
// start at a line scoring at least 0.5 and continue over lines with any
// code cue and blank lines. A block needs a mean score of 0.5 over its
// non-blank lines; a block of one line needs a score of 1 (two strong cues,
// or a shebang).
func appendRuns(out []Block, text string, lines []line) []Block {
	var cur []line
	emit := func() {
		for len(cur) > 0 && cur[len(cur)-1].score == 0 {
			cur = cur[:len(cur)-1] // trailing blank lines
		}
		n, sum := 0, 0.0
		for _, l := range cur {
			if strings.TrimSpace(text[l.a:l.b]) != "" {
				n++
				sum += l.score
			}
		}
		if n >= 2 && sum/float64(n) >= blockMinScore || n == 1 && sum >= 1 {
			a, b := cur[0].a, cur[len(cur)-1].b
			out = append(out, Block{Start: a, End: b, Lang: Language(text[a:b]), Score: min(sum/float64(n), 1)})
		}
		cur = cur[:0]
	}
	for _, l := range lines {
		blank := strings.TrimSpace(text[l.a:l.b]) == ""
		if l.score >= blockMinScore || len(cur) > 0 && (l.score > 0 || blank) {
			cur = append(cur, l)
			continue
		}
		emit()
	}
	emit()
	return out
}
