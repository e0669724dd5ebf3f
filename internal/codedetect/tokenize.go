package codedetect

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// tokenLimit is how much of a snippet the classifier reads, as Linguist's
// tokenizer does.
const tokenLimit = 100000

// shebangTokenPattern finds shebang lines anywhere in a snippet and
// captures the interpreter: the last path component, or the word after
// env's VAR=value assignments. Its matches, like Linguist's, may run over
// following lines of flags. It is compiled with the classifier's tables, on
// first use.
const shebangTokenPattern = `(?m)^#!(?:/\w+)*/(?:(\w+)|\w+(?:\s*\w+=\w+\s*)*\s*(\w+))(?:\s*-\w+\s*)*$`

// tokenize splits a snippet into the tokens the Linguist classifier was
// trained on. It reproduces the observable behaviour of go-enry's tokenizer
// (checked against go-enry in linguist_test.go), in passes over the text,
// each blanking what it consumed:
//
//  1. shebang lines give "SHEBANG#!<interpreter>" (the text is kept);
//  2. SGML tags give "<name>" and their attribute names;
//  3. string literals, block and line comments, and number literals are
//     dropped;
//  4. the brackets and ';' are tokens;
//  5. runs of letters, digits and _ . @ # / * are tokens;
//  6. operators (< << + - * / % & && | ||) are tokens;
//  7. every other non-space character is a token of its own.
func tokenize(content string, shebang *regexp.Regexp) []string {
	if len(content) > tokenLimit {
		content = content[:tokenLimit]
	}
	var toks []string
	if strings.HasPrefix(content, "#!") || strings.Contains(content, "\n#!") {
		for _, m := range shebang.FindAllStringSubmatch(content, -1) {
			w := m[1]
			if w == "" {
				w = m[2]
			}
			toks = append(toks, "SHEBANG#!"+w)
		}
	}
	content = blankMatches(content, sgmlTag(&toks))
	content = blankMatches(content, quoted())
	content = blankMatches(content, blockComment())
	content = blankMatches(content, lineComment)
	content = blankMatches(content, number)
	for _, match := range []func(s string) int{punctuation, regularToken, operator} {
		content = blankMatches(content, func(s string, i int) int {
			n := match(s[i:])
			if n == 0 {
				return -1
			}
			toks = append(toks, s[i:i+n])
			return i + n
		})
	}
	for _, f := range strings.Fields(content) {
		for f != "" {
			_, n := utf8.DecodeRuneInString(f)
			toks = append(toks, f[:n])
			f = f[n:]
		}
	}
	return toks
}

// isSpace is regexp's \s: ASCII tab, newline, form feed, carriage return
// and space (not vertical tab).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWord(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isTagName reports whether c may be part of an SGML tag name: anything
// but whitespace, digits, < > = and quotes.
func isTagName(c byte) bool {
	return !isSpace(c) && !isDigit(c) && c != '<' && c != '>' && c != '=' && c != '"' && c != '\''
}

// blankMatches returns s with every match replaced by one space. Matches
// are sought left to right, as regexp's ReplaceAll does: match(s, i)
// returns the end of the match that starts at i, or -1 when none does.
func blankMatches(s string, match func(s string, i int) int) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if end := match(s, i); end > i {
			b.WriteByte(' ')
			i = end
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// sgmlTag matches a tag — "<name>", or "<name" and whitespace up to the
// next ">" — and appends its tokens to toks: none for a tag containing an
// HTML comment, else "<name>" and its attributes.
func sgmlTag(toks *[]string) func(s string, i int) int {
	noClose := false // no '>' is left, so no tag can match
	return func(s string, i int) int {
		if s[i] != '<' || noClose {
			return -1
		}
		j := i + 1
		for j < len(s) && isTagName(s[j]) {
			j++
		}
		if j == i+1 || j == len(s) {
			return -1
		}
		end := -1
		switch {
		case s[j] == '>':
			end = j + 1
		case isSpace(s[j]):
			if k := strings.IndexByte(s[j+1:], '>'); k >= 0 {
				end = j + 1 + k + 1
			} else {
				noClose = true
			}
		}
		if end < 0 {
			return -1
		}
		tag := s[i:end]
		if c := strings.Index(tag, "<!--"); c < 0 || !strings.Contains(tag[c+4:], "-->") {
			*toks = append(*toks, s[i:j]+">")
			*toks = tagAttributes(tag, *toks)
		}
		return end
	}
}

// tagAttributes appends the attributes of a tag: "name=" for a word
// followed by "=", else the words of each whitespace-separated item.
func tagAttributes(tag string, toks []string) []string {
	for p := 0; p < len(tag); {
		if !isSpace(tag[p]) {
			p++
			continue
		}
		q := p
		for q < len(tag) && isSpace(tag[q]) {
			q++
		}
		r := q
		for r < len(tag) && isWord(tag[r]) {
			r++
		}
		if r > q && r < len(tag) && tag[r] == '=' {
			toks = append(toks, tag[q:r+1])
			p = r + 1
			continue
		}
		for r = q; r < len(tag) && !isSpace(tag[r]) && tag[r] != '>'; r++ {
		}
		for item := tag[q:r]; item != ""; {
			a := 0
			for a < len(item) && !isWord(item[a]) {
				a++
			}
			e := a
			for e < len(item) && isWord(item[e]) {
				e++
			}
			if e > a {
				toks = append(toks, item[a:e])
			}
			item = item[e:]
		}
		p = max(r, q)
	}
	return toks
}

// quoted matches '...' and "..." literals (which may span lines). A quote
// with no closing one after it stays, and so do the later ones of its kind.
func quoted() func(s string, i int) int {
	var noClose [2]bool
	return func(s string, i int) int {
		k := quoteKind(s[i])
		if k < 0 || noClose[k] {
			return -1
		}
		if e := strings.IndexByte(s[i+1:], s[i]); e >= 0 {
			return i + e + 2
		}
		noClose[k] = true
		return -1
	}
}

func quoteKind(c byte) int {
	switch c {
	case '"':
		return 0
	case '\'':
		return 1
	}
	return -1
}

// blockComments are the delimiters of comments (and triple-quoted strings)
// that may span lines, in the order they are tried.
var blockComments = [...][2]string{{"/*", "*/"}, {"<!--", "-->"}, {"{-", "-}"}, {"(*", "*)"}, {`"""`, `"""`}, {"'''", "'''"}}

// blockComment matches a block comment, from its opening to the first
// closing delimiter after it.
func blockComment() func(s string, i int) int {
	var noClose [len(blockComments)]bool
	return func(s string, i int) int {
		for k, d := range blockComments {
			if noClose[k] || !strings.HasPrefix(s[i:], d[0]) {
				continue
			}
			if e := strings.Index(s[i+len(d[0]):], d[1]); e >= 0 {
				return i + len(d[0]) + e + len(d[1])
			}
			noClose[k] = true
		}
		return -1
	}
}

// lineComment matches a comment marker (// -- # % ") followed by a
// whitespace character, and the rest of the line after it (the next line
// when that character is the newline).
func lineComment(s string, i int) int {
	n := 0
	switch s[i] {
	case '/', '-':
		if i+1 < len(s) && s[i+1] == s[i] {
			n = 2
		}
	case '#', '%', '"':
		n = 1
	}
	if n == 0 || i+n >= len(s) || !isSpace(s[i+n]) {
		return -1
	}
	if e := strings.IndexByte(s[i+n+1:], '\n'); e >= 0 {
		return i + n + 1 + e
	}
	return len(s)
}

// number matches a number literal: decimal (digits and dots) or 0x hex,
// with a u/U suffix and up to two l/L, or an e+/e- exponent and f/F/l/L
// suffixes. Digits inside words are numbers too.
func number(s string, i int) int {
	if !isDigit(s[i]) {
		return -1
	}
	j := i + 1
	if s[i] == '0' && j+1 < len(s) && s[j] == 'x' && isHex(s[j+1]) {
		for j += 2; j < len(s) && (isHex(s[j]) || s[j] == '.'); j++ {
		}
	} else {
		for j < len(s) && (isDigit(s[j]) || s[j] == '.') {
			j++
		}
	}
	if j < len(s) && (s[j] == 'u' || s[j] == 'U') {
		j++
		for n := 0; n < 2 && j < len(s) && (s[j] == 'l' || s[j] == 'L'); n++ {
			j++
		}
		return j
	}
	if j+1 < len(s) && (s[j] == 'e' || s[j] == 'E') && (s[j+1] == '-' || s[j+1] == '+') {
		for j += 2; j < len(s) && isDigit(s[j]); j++ {
		}
	}
	for j < len(s) && strings.IndexByte("fFlL", s[j]) >= 0 {
		j++
	}
	return j
}

func punctuation(s string) int {
	if strings.IndexByte(";{}()[]", s[0]) >= 0 {
		return 1
	}
	return 0
}

func regularToken(s string) int {
	n := 0
	for n < len(s) && (isWord(s[n]) || strings.IndexByte(".@#/*", s[n]) >= 0) {
		n++
	}
	return n
}

func operator(s string) int {
	switch s[0] {
	case '+', '-', '*', '/', '%':
		return 1
	case '<', '&', '|':
		if len(s) > 1 && s[1] == s[0] {
			return 2
		}
		return 1
	}
	return 0
}
