package codedetect

import (
	_ "embed" // the classifier's token tables
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Linguist's names, aliases, interpreters and naive-Bayes classifier are
// read from tables generated from go-enry (github.com/go-enry/go-enry/v2):
// linguist_names.go and linguist_tokens.bin, written by
// TestLinguistTables with -update (go generate). The code here is ours; the
// tests check it against go-enry itself.
//
//go:generate go test -run ^TestLinguistTables$ -update .

// LanguageByAlias returns the Linguist language that a name or alias
// ("py", "golang", "C#", "shell script") stands for. Case does not matter,
// spaces count as underscores, and anything from a comma on is ignored.
func LanguageByAlias(alias string) (string, bool) {
	key, _, _ := strings.Cut(alias, ",")
	return lookup(linguistAliases[:], strings.ToLower(strings.ReplaceAll(key, " ", "_")))
}

// lookup finds key in a table of {key, language} pairs sorted by key.
func lookup(table [][2]string, key string) (string, bool) {
	i, ok := slices.BinarySearchFunc(table, key, func(e [2]string, k string) int { return strings.Compare(e[0], k) })
	if !ok {
		return "", false
	}
	return table[i][1], true
}

// IsLanguage reports whether name is a Linguist language name, spelled
// exactly ("Python", "C++").
func IsLanguage(name string) bool {
	_, ok := slices.BinarySearch(linguistNames[:], name)
	return ok
}

// shebangLang returns the language of a leading shebang line when its
// interpreter names exactly one language, else "".
func shebangLang(content string) string {
	l, _ := lookup(linguistInterpreters[:], interpreter(content))
	return l
}

// interpreter names the program of a leading shebang line: its base name,
// or for env the first argument that is neither an option (has a '-') nor
// a VAR=value assignment (the last argument is taken regardless). sh counts
// as the program of an "exec prog ... $0 ... $@" line among the first
// five; python3.11 counts as python3; osascript with -l is unknown.
func interpreter(content string) string {
	first, _, _ := strings.Cut(content, "\n")
	if !strings.HasPrefix(first, "#!") {
		return ""
	}
	line := strings.TrimSpace(first[2:])
	args := strings.Fields(line)
	if len(args) == 0 {
		return ""
	}
	interp := path.Base(args[0])
	if interp == "env" {
		if len(args) == 1 {
			return ""
		}
		for len(args) > 2 && (strings.Contains(args[1], "-") || isAssignment(args[1])) {
			args = append(args[:1], args[2:]...)
		}
		interp = path.Base(args[1])
	}
	if interp == "sh" {
		for n, rest := 0, content; n < 5 && rest != ""; n++ {
			var l string
			l, rest, _ = strings.Cut(rest, "\n")
			if p, ok := execProgram(strings.TrimSuffix(l, "\r")); ok {
				interp = p
				break
			}
		}
	}
	if hasPythonVersion(interp) {
		interp = interp[:strings.IndexByte(interp, '.')]
	}
	if interp == "osascript" && strings.Contains(line, "-l") {
		return ""
	}
	return interp
}

// isAssignment reports whether arg has an '=' with something on both
// sides.
func isAssignment(arg string) bool {
	i := strings.IndexByte(arg, '=')
	for i >= 0 {
		if i > 0 && i < len(arg)-1 {
			return true
		}
		j := strings.IndexByte(arg[i+1:], '=')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// hasPythonVersion reports whether s contains "python" followed by a
// version with a dot (python3.11).
func hasPythonVersion(s string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], "python")
		if i < 0 {
			return false
		}
		v := s[off+i+len("python"):]
		if len(v) >= 3 && isDigit(v[0]) && v[1] == '.' && isDigit(v[2]) {
			return true
		}
		off += i + 1
	}
}

// execProgram finds the shell idiom that re-executes a script with another
// program, "exec prog ... $0 ... $@" (at least one character before $0 and
// between $0 and $@), and returns prog. Of several "exec " it takes the
// first that fits; prog is the longest word that leaves room for the rest.
func execProgram(line string) (string, bool) {
	lastArgs := strings.LastIndex(line, "$@")
	for off := 0; ; {
		i := strings.Index(line[off:], "exec ")
		if i < 0 {
			return "", false
		}
		w := off + i + len("exec ")
		e := w
		for e < len(line) && isWord(line[e]) {
			e++
		}
		for end := e; end > w; end-- {
			if end+1 > len(line) {
				continue
			}
			if p := strings.Index(line[end+1:], "$0"); p >= 0 && lastArgs >= end+1+p+3 {
				return line[w:end], true
			}
		}
		off += i + 1
	}
}

// bayes is Linguist's naive-Bayes classifier restricted to the languages
// of langCueSpecs: a language's score is its log prior plus, for every
// token, the token's log probability in that language, or log(1/total
// tokens) when the language never had it. The sum runs in token order, as
// go-enry's does, so the scores are go-enry's to the bit.
type bayes struct {
	langs   []string
	prior   []float64
	unknown float64
	// vocab is sorted; the languages that had vocab[i] and its log
	// probabilities, as indices into probs, are
	// entLang/entProb[start[i]:start[i+1]].
	vocab   []string
	start   []uint32
	entLang []uint8
	entProb []uint16
	probs   []float64
	shebang *regexp.Regexp
}

//go:embed linguist_tokens.bin
var tokenTables string

// tokenMagic starts linguist_tokens.bin.
const tokenMagic = "llmshield linguist tokens 1\n"

// classifier returns the classifier, read from linguist_tokens.bin on first
// use. The tables are compiled in and checked by the tests, so a failure is
// a build defect.
var classifier = sync.OnceValue(func() *bayes {
	b, err := parseBayes(tokenTables)
	if err != nil {
		panic(fmt.Sprintf("codedetect: linguist_tokens.bin: %v", err))
	}
	return b
})

// parseBayes reads the token tables. Layout (integers are uvarints,
// floats little-endian IEEE 754 binary64):
//
//	tokenMagic
//	nLangs, then per language: name length, name, log prior
//	total token count (float)
//	nProbs, then the distinct log probabilities (floats)
//	nTokens, the number of entries of all tokens, then per token in byte
//	  order: length, bytes, nEntries, then per entry: language index,
//	  probability index
func parseBayes(data string) (*bayes, error) {
	r := tableReader{s: data}
	if !strings.HasPrefix(data, tokenMagic) {
		return nil, errors.New("bad magic")
	}
	r.s = data[len(tokenMagic):]
	b := &bayes{}
	nLangs := r.count(256)
	for range nLangs {
		b.langs = append(b.langs, r.str())
		b.prior = append(b.prior, r.float())
	}
	b.unknown = math.Log(1 / r.float())
	b.probs = make([]float64, r.count(1<<16))
	for i := range b.probs {
		b.probs[i] = r.float()
	}
	nTokens := r.count(1 << 24)
	nEntries := r.count(nTokens*nLangs + 1)
	b.vocab = make([]string, 0, nTokens)
	b.start = make([]uint32, 0, nTokens+1)
	b.entLang = make([]uint8, 0, nEntries)
	b.entProb = make([]uint16, 0, nEntries)
	for range nTokens {
		tok := r.str()
		if n := len(b.vocab); n > 0 && b.vocab[n-1] >= tok {
			r.fail(fmt.Errorf("token %q out of order", tok))
		}
		b.vocab = append(b.vocab, tok)
		b.start = append(b.start, uint32(len(b.entLang)))
		for range r.count(nLangs + 1) {
			l := r.count(nLangs)
			p := r.count(len(b.probs))
			if r.err == nil {
				b.entLang = append(b.entLang, uint8(l))
				b.entProb = append(b.entProb, uint16(p))
			}
		}
	}
	b.start = append(b.start, uint32(len(b.entLang)))
	if r.err == nil && len(b.entLang) != nEntries {
		r.fail(fmt.Errorf("%d entries, header says %d", len(b.entLang), nEntries))
	}
	if r.err == nil && r.s != "" {
		r.fail(fmt.Errorf("%d bytes after the tables", len(r.s)))
	}
	if r.err != nil {
		return nil, r.err
	}
	re, err := regexp.Compile(shebangTokenPattern)
	if err != nil {
		return nil, err
	}
	b.shebang = re
	return b, nil
}

// tableReader reads linguist_tokens.bin; the first error sticks and later
// reads return zero values.
type tableReader struct {
	s   string
	err error
}

func (r *tableReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.s = ""
}

func (r *tableReader) uvarint() uint64 {
	var v uint64
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		c := r.s[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break // overflows 64 bits
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.s = r.s[i+1:]
			return v
		}
	}
	r.fail(errors.New("truncated or bad integer"))
	return 0
}

// count reads an integer that must be below limit.
func (r *tableReader) count(limit int) int {
	v := r.uvarint()
	if v >= uint64(limit) {
		r.fail(fmt.Errorf("value %d, want below %d", v, limit))
		return 0
	}
	return int(v)
}

func (r *tableReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.fail(fmt.Errorf("string of %d bytes, %d left", n, len(r.s)))
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

func (r *tableReader) float() float64 {
	if len(r.s) < 8 {
		r.fail(errors.New("truncated float"))
		return 0
	}
	var v uint64
	for i := range 8 {
		v |= uint64(r.s[i]) << (8 * i)
	}
	r.s = r.s[8:]
	return math.Float64frombits(v)
}

// classify returns the candidate with the highest score; of equal scores,
// the earliest candidate (go-enry's choice among equal scores depends on
// map order). A candidate the tables lack scores as a language
// with no prior and no tokens. It returns "" for no candidates.
func (b *bayes) classify(content string, cands []string) string {
	idx := make([]int, len(cands))
	sums := make([]float64, len(cands))
	for i, c := range cands {
		idx[i] = -1
		for j, l := range b.langs {
			if l == c {
				idx[i] = j
			}
		}
	}
	for _, tok := range tokenize(content, b.shebang) {
		var lang []uint8
		var prob []uint16
		if t, ok := slices.BinarySearch(b.vocab, tok); ok {
			lang, prob = b.entLang[b.start[t]:b.start[t+1]], b.entProb[b.start[t]:b.start[t+1]]
		}
		for i, l := range idx {
			p := b.unknown
			for e, el := range lang {
				if int(el) == l {
					p = b.probs[prob[e]]
					break
				}
			}
			sums[i] += p
		}
	}
	best, bestScore := -1, 0.0
	for i := range cands {
		score := sums[i]
		if idx[i] >= 0 {
			score += b.prior[idx[i]]
		}
		if best < 0 || score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return ""
	}
	return cands[best]
}
