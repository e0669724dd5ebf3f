package secrets

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Keyword windows. Most rules can only match text that contains one of
// their keywords (the keyword is the token prefix, or the variable name
// the rule looks for) and have a bounded match length L. For such a rule,
// every match lies within L bytes of a keyword occurrence, so the engine
// runs its regular expression only on windows around the occurrences the
// prefilter found, instead of on the whole text. Both properties are
// derived from the parsed expression (see windowable), never assumed.

// maxWindowLen caps the match length for which windows pay off.
const maxWindowLen = 2048

// windowMargin extends windows so that assertions at a match's edges (\b,
// ^, $) see the real neighbouring rune.
const windowMargin = utf8.UTFMax

// windowable reports whether every match of re contains one of keywords
// (lower-cased) and, if so, the longest match in bytes.
func windowable(expr string, keywords []string) (maxLen int, ok bool) {
	if len(keywords) == 0 {
		return 0, false
	}
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return 0, false
	}
	re = re.Simplify()
	n := maxMatchLen(re)
	if n < 0 || n > maxWindowLen {
		return 0, false
	}
	if !newAnalysis(keywords).mustContain(re) {
		return 0, false
	}
	return n, true
}

// maxMatchLen returns the longest match of re in bytes, or -1 if unbounded.
func maxMatchLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			n += runeMaxLen(r, re.Flags&syntax.FoldCase != 0)
		}
		return n
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0
		}
		// The widest rune is the highest; an invalid byte, read as U+FFFD,
		// is one byte wide.
		return utf8.RuneLen(min(re.Rune[len(re.Rune)-1], unicode.MaxRune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpCapture, syntax.OpQuest:
		return maxMatchLen(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		return -1
	case syntax.OpRepeat:
		if re.Max < 0 {
			return -1
		}
		n := maxMatchLen(re.Sub[0])
		if n < 0 {
			return -1
		}
		return n * re.Max
	case syntax.OpConcat, syntax.OpAlternate:
		// A concatenation is as long as its parts together, an
		// alternation as its longest branch.
		n := 0
		for _, s := range re.Sub {
			m := maxMatchLen(s)
			if m < 0 {
				return -1
			}
			if re.Op == syntax.OpConcat {
				n += m
			} else {
				n = max(n, m)
			}
		}
		return n
	}
	return -1 // unknown: be safe
}

func runeMaxLen(r rune, fold bool) int {
	n := utf8.RuneLen(r)
	if n < 0 {
		n = 3
	}
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			n = max(n, utf8.RuneLen(f))
		}
	}
	return n
}

// maxVariants bounds the finite languages mustContain expands.
const maxVariants = 64

// analysis answers finite and mustContain for the nodes of one parsed
// expression, remembering each node's answers: simplified counted
// repetitions share their sub-expression and nest (x{10,99} becomes ten
// copies of x, then 89 nested optional parts), and mustContain asks about
// each run of a concatenation again, so without memoisation the same nodes
// are expanded many times over (for gitleaks' rules, hundreds of
// milliseconds at start-up). Answers depend only on the node, so they are
// exactly those of a plain recursion.
type analysis struct {
	keywords []string // lower-cased
	fin      map[*syntax.Regexp]finiteSet
	must     map[*syntax.Regexp]bool
}

type finiteSet struct {
	vs []string // never modified once stored
	ok bool
}

func newAnalysis(keywords []string) *analysis {
	return &analysis{keywords: keywords, fin: map[*syntax.Regexp]finiteSet{}, must: map[*syntax.Regexp]bool{}}
}

// mustContain reports whether every string matched by re contains one of
// a.keywords, case-insensitively.
func (a *analysis) mustContain(re *syntax.Regexp) bool {
	if v, ok := a.must[re]; ok {
		return v
	}
	v := a.mustContainNode(re)
	a.must[re] = v
	return v
}

func (a *analysis) mustContainNode(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpCapture:
		return a.mustContain(re.Sub[0])
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !a.mustContain(s) {
				return false
			}
		}
		return true
	case syntax.OpRepeat, syntax.OpPlus:
		if re.Op == syntax.OpPlus || re.Min >= 1 {
			return a.mustContain(re.Sub[0])
		}
		return false
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if a.mustContain(s) {
				return true
			}
		}
		// A keyword may span several consecutive finite parts
		// ("(?:sk|rk)_" is an alternation then a literal): expand each run
		// of finite parts and check every string of it.
		for i := range re.Sub {
			vs := []string{""}
			for j := i; j < len(re.Sub); j++ {
				next, ok := a.finite(re.Sub[j])
				if !ok {
					break
				}
				vs = cross(vs, next)
				if vs == nil {
					break
				}
				if allContain(vs, a.keywords) {
					return true
				}
			}
		}
		return false
	}
	vs, ok := a.finite(re)
	return ok && allContain(vs, a.keywords)
}

// finite returns every string re matches (lower-cased, with repeats when
// alternatives overlap), when there are at most maxVariants of them.
// Assertions match the empty string.
func (a *analysis) finite(re *syntax.Regexp) ([]string, bool) {
	if f, ok := a.fin[re]; ok {
		return f.vs, f.ok
	}
	vs, ok := a.finiteNode(re)
	if !ok {
		vs = nil
	}
	a.fin[re] = finiteSet{vs, ok}
	return vs, ok
}

func (a *analysis) finiteNode(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpCharClass:
		// The distinct lower-cased runes, in order of first appearance;
		// strings are made only for a class small enough to expand.
		var low []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] > maxVariants {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if l := lowerRune(r); !slices.Contains(low, l) {
					low = append(low, l)
				}
				if len(low) > maxVariants {
					return nil, false
				}
			}
		}
		out := make([]string, len(low))
		for i, r := range low {
			out[i] = string(r)
		}
		return out, true
	case syntax.OpCapture:
		return a.finite(re.Sub[0])
	case syntax.OpQuest:
		vs, ok := a.finite(re.Sub[0])
		if !ok {
			return nil, false
		}
		return append([]string{""}, vs...), true
	case syntax.OpConcat:
		vs := []string{""}
		for _, s := range re.Sub {
			next, ok := a.finite(s)
			if !ok {
				return nil, false
			}
			if vs = cross(vs, next); vs == nil {
				return nil, false
			}
		}
		return vs, true
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			vs, ok := a.finite(s)
			if !ok {
				return nil, false
			}
			out = append(out, vs...)
			if len(out) > maxVariants {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// lowerRune is strings.ToLower(string(r)) as a rune: string(r) of an
// invalid rune is U+FFFD.
func lowerRune(r rune) rune {
	if !utf8.ValidRune(r) {
		return utf8.RuneError
	}
	return unicode.ToLower(r)
}

// cross concatenates every a with every b; nil when that exceeds maxVariants.
func cross(a, b []string) []string {
	if len(a)*len(b) > maxVariants {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

func allContain(vs, keywords []string) bool {
	for _, v := range vs {
		found := false
		for _, k := range keywords {
			if strings.Contains(v, k) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Assignment precheck. About a hundred gitleaks rules share one template:
// an optional identifier prefix, a keyword group G, then up to 20
// identifier characters, up to 3 quotes or spaces and an assignment
// operator before the secret. Such a rule can only match where an
// occurrence of one of its keywords (inside G) is followed, within the
// rest of G and those 20 characters, by that operator. Checking this at
// each keyword occurrence costs a few byte comparisons and skips the
// expression on prose that merely mentions "key" or "token".
const (
	// assignIdentPrefix is the identifier prefix (at most assignIdentMax
	// bytes of [\w.-]) before the keyword group.
	assignIdentPrefix = `(?i)[\w.-]{0,50}?`
	assignIdentMax    = 50
	assignPrefix      = assignIdentPrefix + `(?:`
	assignTemplate    = `(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)`
	// assignGroupMax bounds what G may add after a keyword.
	assignGroupMax = 64
)

// assignmentRule reports whether expr follows the template with a keyword
// group whose matches consist of identifier characters only, are at most
// assignGroupMax bytes long and contain one of keywords.
func assignmentRule(expr string, keywords []string) bool {
	if len(keywords) == 0 || !strings.HasPrefix(expr, assignPrefix) {
		return false
	}
	depth, end := 0, -1
	start := len(assignPrefix) - len("(?:")
	for i := start; i < len(expr) && end < 0; i++ {
		switch expr[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				end = i + 1
			}
		}
	}
	if end < 0 || !strings.HasPrefix(expr[end:], assignTemplate) {
		return false
	}
	// The template must be the whole expression, not one alternative.
	if whole, err := syntax.Parse(expr, syntax.Perl); err != nil || whole.Op != syntax.OpConcat {
		return false
	}
	g, err := syntax.Parse("(?i)"+expr[start:end], syntax.Perl)
	if err != nil {
		return false
	}
	g = g.Simplify()
	vs, ok := newAnalysis(keywords).finite(g)
	if !ok || maxMatchLen(g) > assignGroupMax || !allContain(vs, keywords) {
		return false
	}
	for _, v := range vs {
		for i := 0; i < len(v); i++ {
			if !isIdentByte(v[i]) {
				return false
			}
		}
	}
	return true
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '.' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// assignmentAfter reports whether text[at:] starts with what the template
// requires before a secret: identifier characters (the rest of the keyword
// group and up to 20 more), up to 3 quotes or white space, and the first
// byte of an assignment operator.
func assignmentAfter(text string, at int) bool {
	run := 0
	for at+run < len(text) && run < 20+assignGroupMax {
		c := text[at+run]
		if !isIdentByte(c) && c != ' ' && c != '\t' {
			break
		}
		run++
	}
	for p := at; p <= at+run; p++ {
		for j := 0; j <= 3 && p+j < len(text); j++ {
			switch text[p+j] {
			case '=', '>', ':', '|', '?', ',':
				return true
			}
			if c := text[p+j]; c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\'' && c != '"' {
				break
			}
		}
	}
	return false
}

// Windows for assignment-template rules whose secret pattern is unbounded
// (generic-api-key): the match starts at most assignStartMax bytes before
// the keyword (the identifier prefix and the keyword group), and is taken
// to end by the first white space found assignTail bytes after the
// keyword; a secret that runs on without white space for longer than
// assignRunMax makes the window the rest of the text.
const (
	assignStartMax = assignIdentMax + assignGroupMax
	assignTail     = 256
	assignRunMax   = 4096
)

func assignWindowEnd(seg string, ke int) int {
	b := ke + assignTail
	if b >= len(seg) {
		return len(seg)
	}
	limit := min(len(seg), b+assignRunMax)
	for ; b < limit; b++ {
		switch seg[b] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			return min(len(seg), b+windowMargin)
		}
	}
	return len(seg)
}

// extendIdent moves a stripped match's start back over the identifier
// prefix the full expression would have matched: up to assignIdentMax
// bytes of [\w.-].
func extendIdent(seg string, ms int) int {
	for n := 0; n < assignIdentMax && ms > 0 && isIdentByte(seg[ms-1]); n++ {
		ms--
	}
	return ms
}
