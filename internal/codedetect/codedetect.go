// Package codedetect finds source code in text and names its language, for
// the code and ban_code scanners. It uses, in order of reliability:
//
//  1. Fenced code blocks (``` or ~~~): the block is code; its info string
//     ("py", "golang", "sh") names the language through Linguist's aliases
//     (github.com/go-enry/go-enry/v2).
//  2. A shebang line (#!/usr/bin/env python3): enry's shebang table.
//  3. Outside fences, lines are scored for code: statement endings (; { }),
//     keywords at the start of a line (def, func, #include, const, echo,
//     ...), calls without a space before the parenthesis, operators such as
//     := => -> == && and indentation; runs of such lines are code blocks.
//     Prose rarely has two of these signals on one line.
//  4. The language of an unfenced or untagged block comes from per-language
//     syntax cues; when two or more languages score close, enry's Bayesian
//     classifier chooses among those candidates only. Unrestricted, enry's
//     classifier calls Python "JavaScript" and prose "Ruby", so it is never
//     asked without a short candidate list.
//
// The cues were written from the languages' syntax, not fitted to data;
// the evaluation in scanner/code/README.md measures them on code and prose
// they were never tuned on.
package codedetect

import (
	"regexp"
	"strings"

	"github.com/go-enry/go-enry/v2"

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

// lineCues mark a line as code; weights add up and are capped at 1.
var lineCues = []cue{
	{regexp.MustCompile(`^\s*(def|class)\s+\w+.*:\s*$`), 1, nil},
	{regexp.MustCompile(`^\s*(from\s+[\w.]+\s+import\s+\S|import\s+[\w.]+(\s+as\s+\w+)?\s*;?\s*$|import\s+["'{]|package\s+[\w.]+;?\s*$)`), 1, nil},
	{regexp.MustCompile(`^\s*(func|fn|pub fn|fun|function|sub|proc)\s+\w*\s*[(<]`), 1, nil},
	{regexp.MustCompile(`^\s*#\s*(include|define|ifndef|ifdef|endif|pragma)\b`), 1, nil},
	{regexp.MustCompile(`^\s*(public|private|protected|static|final|internal)\s+[\w<>\[\], ]+[({;=]`), 1, nil},
	{regexp.MustCompile(`^\s*(const|let|var|val|auto|int|char|float|double|bool|string|void)\s+[\w*&]+\s*(:\s*\w+\s*)?(=|;|\()`), 0.75, nil},
	{regexp.MustCompile(`^\s*(if|elif|for|while|switch|catch|foreach|unless)\b.*[:{]\s*$|^\s*(else|try|finally|do)\s*[:{]\s*$`), 0.75, nil},
	{regexp.MustCompile(`^\s*(return|yield|await|raise|throw|break|continue|pass)\b[^.!?]*;?\s*$`), 0.5, nil},
	{regexp.MustCompile(`[;{]\s*(//.*|/\*.*|#.*)?$`), 0.5, has(";{")},
	{regexp.MustCompile(`^\s*[}\])]+[;,)]*\s*$`), 0.75, nil},
	{regexp.MustCompile(`\b[A-Za-z_][\w.]*(\[[^\]]*\])?\((\)|[^\s)])`), 0.25, has("(")},
	{regexp.MustCompile(`:=|=>|->|::|===|!==|==|!=|&&|\|\||\+=|-=|\+\+|<<|>>|\$\(|\$\{|\{\{`), 0.5, hasPair},
	{regexp.MustCompile(`^\s*[A-Za-z_][\w.\[\]"']*\s*=\s*[^=\s]`), 0.5, has("=")},
	{regexp.MustCompile(`^\s*(\$\s+)?(echo|export|cd|sudo|apt-get|apt|pip3?|npm|npx|yarn|git|curl|wget|chmod|chown|mkdir|rm|ls|cat|grep|docker|kubectl|make|go|python3?|node)\s+-{0,2}[\w./$"'-]`), 0.5, nil},
	{regexp.MustCompile(`^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|ALTER TABLE|DROP TABLE)\b`), 1, nil},
	{regexp.MustCompile(`^\s*</?[a-zA-Z][\w-]*(\s+[\w-]+(=("[^"]*"|'[^']*'))?)*\s*/?>`), 0.75, nil},
	{regexp.MustCompile(`^\s*(//|/\*|\*/|# |--\s)`), 0.25, nil},
	{regexp.MustCompile(`^(\t| {4})`), 0.25, nil},
}

// proseLine is a line that reads as a sentence: mostly words, ending in
// sentence punctuation.
var proseLine = regexp.MustCompile(`^\s*([A-Z\p{Lu}][\p{L}'’,-]*\s+)([\p{L}\d'’,;:()"“”-]+\s+){3,}[\p{L}\d'’)"”]+[.!?]["”)]?\s*$`)

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
	s := 0.0
	for _, c := range lineCues {
		if (c.may == nil || c.may(t)) && c.re.MatchString(line) {
			s += c.w
		}
	}
	if s > 0 && proseLine.MatchString(line) {
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
					lang, _ = enry.GetLanguageByAlias(strings.TrimPrefix(strings.ToLower(tag), "."))
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
