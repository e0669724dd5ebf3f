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
	content, toks = sgmlTokens(content, toks)
	content = dropQuoted(content)
	content = dropBlockComments(content)
	content = dropLineComments(content)
	content = dropNumbers(content)
	content, toks = cutTokens(content, toks, punctuation)
	content, toks = cutTokens(content, toks, regularToken)
	content, toks = cutTokens(content, toks, operator)
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

// sgmlTokens replaces each tag — "<name>" or "<name" and whitespace up to
// the next ">" — by a space; a tag containing an HTML comment gives no
// tokens, any other gives "<name>" and its attributes.
func sgmlTokens(s string, toks []string) (string, []string) {
	if strings.IndexByte(s, '<') < 0 {
		return s, toks
	}
	var b strings.Builder
	b.Grow(len(s))
	noClose := false // no '>' is left: no tag can match
	for i := 0; i < len(s); {
		if s[i] != '<' || noClose {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isTagName(s[j]) {
			j++
		}
		end := -1
		if j > i+1 && j < len(s) {
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
		}
		if end < 0 {
			b.WriteByte('<')
			i++
			continue
		}
		tag := s[i:end]
		if c := strings.Index(tag, "<!--"); c < 0 || !strings.Contains(tag[c+4:], "-->") {
			toks = append(toks, s[i:j]+">")
			toks = tagAttributes(tag, toks)
		}
		b.WriteByte(' ')
		i = end
	}
	return b.String(), toks
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

// dropQuoted blanks '...' and "..." literals (which may span lines).
func dropQuoted(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	noClose := [2]bool{}
	for i := 0; i < len(s); {
		c := s[i]
		if k := quoteKind(c); k >= 0 && !noClose[k] {
			if e := strings.IndexByte(s[i+1:], c); e >= 0 {
				b.WriteByte(' ')
				i += e + 2
				continue
			}
			noClose[k] = true
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
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

// dropBlockComments blanks each block comment, from its opening to the
// first closing delimiter after it.
func dropBlockComments(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var noClose [len(blockComments)]bool
	for i := 0; i < len(s); {
		end := -1
		for k, d := range blockComments {
			if noClose[k] || !strings.HasPrefix(s[i:], d[0]) {
				continue
			}
			if e := strings.Index(s[i+len(d[0]):], d[1]); e >= 0 {
				end = i + len(d[0]) + e + len(d[1])
				break
			}
			noClose[k] = true
		}
		if end < 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteByte(' ')
		i = end
	}
	return b.String()
}

// dropLineComments blanks a comment marker (// -- # % ") followed by a
// whitespace character, and the rest of the line after it (the next line
// when that character is the newline).
func dropLineComments(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
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
			b.WriteByte(s[i])
			i++
			continue
		}
		end := len(s)
		if e := strings.IndexByte(s[i+n+1:], '\n'); e >= 0 {
			end = i + n + 1 + e
		}
		b.WriteByte(' ')
		i = end
	}
	return b.String()
}

// dropNumbers blanks number literals: decimal (digits and dots) or 0x hex,
// with a u/U suffix and up to two l/L, or an e+/e- exponent and f/F/l/L
// suffixes. Digits inside words are numbers too.
func dropNumbers(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
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
		} else {
			if j+1 < len(s) && (s[j] == 'e' || s[j] == 'E') && (s[j+1] == '-' || s[j+1] == '+') {
				for j += 2; j < len(s) && isDigit(s[j]); j++ {
				}
			}
			for j < len(s) && strings.IndexByte("fFlL", s[j]) >= 0 {
				j++
			}
		}
		b.WriteByte(' ')
		i = j
	}
	return b.String()
}

// cutTokens appends the tokens that match at each position (match returns
// their length, 0 for none) and blanks them.
func cutTokens(s string, toks []string, match func(s string) int) (string, []string) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if n := match(s[i:]); n > 0 {
			toks = append(toks, s[i:i+n])
			b.WriteByte(' ')
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), toks
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
