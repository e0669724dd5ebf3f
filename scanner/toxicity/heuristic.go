package toxicity

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/wordshape"
	"github.com/llmshield/llmshield/scanner"
)

const (
	// maxFindings caps the findings of one analysis.
	maxFindings = 64
	// ctxWindow is how many tokens either side of a word are searched for
	// words that mark a harmless sense.
	ctxWindow = 6
	// directBack is how many filler tokens may sit between "you are" and an
	// insult ("you are a stupid, worthless idiot").
	directBack = 4
)

// Analysis is the heuristic verdict on one text.
type Analysis struct {
	// Risk is in [0,1]: the noisy-OR of the category scores, at least the
	// severe_toxicity score.
	Risk float64
	// Categories maps each category that fired to its score in [0,1].
	Categories map[string]float64
	// Findings lists what matched, with spans into the original text,
	// ordered by start offset. Details never repeat the offensive words.
	Findings []scanner.Finding
}

// tokInfo is what the lexicon knows about one (canonical) token.
type tokInfo struct {
	key    string
	lex    int    // index into Heuristic.entries, -1 when the token is not a lexicon word
	cls    uint64 // classes the token belongs to
	starts []int  // phrases whose first element the token can be
	dfill  bool   // may sit between "you are" and an insult
}

type entry struct {
	cat   string
	w     float64
	flags int
	ctx   map[string]bool
}

type elem struct {
	words    []string
	cls      uint64
	min, max int
}

type phrase struct {
	cat, rule string
	w         float64
	severe    bool
	elems     []elem
	unless    map[string]bool
}

// Heuristic is the rule-based toxicity detector. Text is normalised
// (internal/normalize: look-alike letters, leetspeak, spaced letters,
// invisible characters), split into word tokens, and each token is looked
// up once in a hash map built from the lexicon, the word classes and the
// first words of the phrase rules; masked ("f*ck", "sh!t") and stretched
// ("fuuuck") spellings are resolved against the lexicon only when a token
// is unknown. Matching is by whole token, so words that merely contain a
// lexicon word ("Scunthorpe", "assassin", "cocktail") never match.
//
// Scoring: each lexicon word, directed insult and phrase rule contributes a
// weight to its category (the noisy-OR of distinct hits); words aimed at
// the addressee ("you are a ...", "du bist ein ...") weigh more, negated
// ones ("you are not stupid") and words near a harmless sense ("hoe" near
// "garden") much less. Quoting or reporting does not exempt text.
//
// A Heuristic is immutable after NewHeuristic and safe for concurrent use.
type Heuristic struct {
	dict    map[string]*tokInfo
	entries []entry
	phrases []phrase
	// masked lists lexicon keys that may be written with masked letters.
	masked []string
	// prefixes are stems that also match as the first part of a compound;
	// prefix2 marks their first two bytes for a cheap precheck.
	prefixes []string
	prefix2  *[1 << 16]bool
	dfill    map[string]bool
	// shape marks the (length, first byte, last byte) combinations of
	// dictionary keys, so most ordinary words skip the map lookup.
	shape *[1 << 15]bool
}

func shapeOf(w string) int {
	return min(len(w), 31)<<10 | int(w[0]&31)<<5 | int(w[len(w)-1]&31)
}

var dfillWords = "a an such so total complete absolute real really fucking fuckin damn little big biggest stupid dumb ugly fat worthless useless pathetic dirty filthy lazy disgusting lying sorry piece of look looks sound act like as just ein eine einen einer so voll richtig total verdammter verdammte verdammtes dummer dumme dummes kleiner kleine kleines alter alte blöder blöde hässlicher hässliche nur"

var addressee = map[string]int{
	// 1: addresses on its own; 2: addresses when preceded by "you"/"du" or followed by it (questions)
	"you": 1, "u": 1, "ya": 1, "yu": 1, "you're": 1, "youre": 1, "ur": 1, "yer": 1,
	"du": 1, "dich": 1, "bist": 2, "are": 2, "r": 2, "seid": 2, "sind": 2, "ihr": 1,
}

var negations = map[string]bool{"not": true, "no": true, "never": true, "nicht": true, "kein": true, "keine": true, "keiner": true, "nie": true, "isn't": true, "aren't": true, "ain't": true,
	"don't": true, "dont": true, "doesn't": true, "doesnt": true, "didn't": true, "didnt": true, "wasn't": true, "won't": true, "wouldn't": true}

// NewHeuristic builds the lexicon. It fails only if the built-in tables are
// malformed, which tests rule out.
func NewHeuristic() (*Heuristic, error) {
	h := &Heuristic{dict: map[string]*tokInfo{}, prefix2: new([1 << 16]bool), dfill: map[string]bool{}, shape: new([1 << 15]bool)}
	get := func(k string) *tokInfo {
		ti := h.dict[k]
		if ti == nil {
			ti = &tokInfo{key: k, lex: -1}
			h.dict[k] = ti
		}
		return ti
	}
	for _, w := range strings.Fields(dfillWords) {
		h.dfill[normalize.String(w)] = true
	}
	maskSeen := map[string]bool{}
	for _, d := range lexicon {
		if d.w <= 0 || d.w > 1 || d.cat == "" || strings.TrimSpace(d.words) == "" {
			return nil, fmt.Errorf("lexicon entry %q: malformed", d.words)
		}
		e := entry{cat: d.cat, w: d.w, flags: d.flags}
		if d.ctx != "" {
			e.ctx = map[string]bool{}
			for _, c := range strings.Fields(d.ctx) {
				e.ctx[normalize.String(c)] = true
			}
		}
		idx := len(h.entries)
		h.entries = append(h.entries, e)
		for _, raw := range strings.Fields(d.words) {
			base := normalize.String(raw)
			if base == "" || strings.ContainsAny(base, " \n") {
				return nil, fmt.Errorf("lexicon word %q: not a single token", raw)
			}
			forms := []string{base}
			if d.flags&fInfl != 0 {
				forms = append(forms, inflectEN(base)...)
			}
			if d.flags&fInflDE != 0 {
				for _, suf := range []string{"e", "en", "er", "es", "n", "s", "ern", "em"} {
					forms = append(forms, base+suf)
				}
			}
			for fi, f := range forms {
				ti := get(f)
				if ti.lex >= 0 && fi > 0 {
					continue // an explicit entry wins over a generated form
				}
				ti.lex = idx
				if d.flags&fMask != 0 && !maskSeen[f] {
					maskSeen[f] = true
					h.masked = append(h.masked, f)
				}
			}
			if d.flags&fPrefix != 0 && len(base) >= 4 {
				h.prefixes = append(h.prefixes, base)
				h.prefix2[uint16(base[0])<<8|uint16(base[1])] = true
			}
		}
	}
	sort.Strings(h.masked)
	// classes
	clsBit := map[string]uint64{}
	names := make([]string, 0, len(classes))
	for n := range classes {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) > 64 {
		return nil, fmt.Errorf("too many word classes: %d", len(names))
	}
	for i, n := range names {
		clsBit[n] = 1 << i
		for _, w := range strings.Fields(classes[n]) {
			get(normalize.String(w)).cls |= 1 << i
		}
	}
	for pi, d := range phrases {
		cat, _, ok := strings.Cut(d.rule, ".")
		if !ok || d.w <= 0 || d.w > 1 {
			return nil, fmt.Errorf("phrase rule %q: malformed", d.rule)
		}
		p := phrase{cat: cat, rule: d.rule, w: d.w, severe: d.severe}
		for _, src := range strings.Fields(d.pattern) {
			el, err := parseElem(src, clsBit)
			if err != nil {
				return nil, fmt.Errorf("phrase rule %q: %w", d.rule, err)
			}
			p.elems = append(p.elems, el)
		}
		if len(p.elems) == 0 || p.elems[0].min == 0 {
			return nil, fmt.Errorf("phrase rule %q: first element must be mandatory", d.rule)
		}
		if d.unless != "" {
			p.unless = map[string]bool{}
			for _, w := range strings.Fields(d.unless) {
				p.unless[normalize.String(w)] = true
			}
		}
		h.phrases = append(h.phrases, p)
		first := p.elems[0]
		for _, w := range first.words {
			ti := get(w)
			ti.starts = append(ti.starts, pi)
		}
		if first.cls != 0 {
			for _, ti := range h.dict {
				if ti.cls&first.cls != 0 && !containsInt(ti.starts, pi) {
					ti.starts = append(ti.starts, pi)
				}
			}
		}
		// words used later in the pattern need dictionary entries so that
		// masked and stretched spellings resolve to them too
		for _, el := range p.elems[1:] {
			for _, w := range el.words {
				get(w)
			}
		}
	}
	for k := range h.dfill {
		get(k).dfill = true
	}
	for k, ti := range h.dict {
		sort.Ints(ti.starts)
		h.shape[shapeOf(k)] = true
	}
	return h, nil
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func parseElem(src string, clsBit map[string]uint64) (elem, error) {
	el := elem{min: 1, max: 1}
	switch {
	case strings.HasSuffix(src, "?"):
		el.min, src = 0, src[:len(src)-1]
	case strings.HasSuffix(src, "}"):
		i := strings.LastIndexByte(src, '{')
		if i < 0 {
			return el, fmt.Errorf("element %q: unbalanced braces", src)
		}
		a, b, ok := strings.Cut(src[i+1:len(src)-1], ",")
		m, err1 := strconv.Atoi(a)
		n, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || m < 0 || n < m || n > 8 {
			return el, fmt.Errorf("element %q: bad repetition", src)
		}
		el.min, el.max, src = m, n, src[:i]
	}
	for _, alt := range strings.Split(src, "|") {
		if alt == "" {
			return el, fmt.Errorf("element %q: empty alternative", src)
		}
		if strings.HasPrefix(alt, "@") {
			b, ok := clsBit[alt[1:]]
			if !ok {
				return el, fmt.Errorf("element %q: unknown class %s", src, alt)
			}
			el.cls |= b
			continue
		}
		w := normalize.String(alt)
		if w == "" || strings.ContainsAny(w, " \n") {
			return el, fmt.Errorf("element %q: bad word %q", src, alt)
		}
		el.words = append(el.words, w)
	}
	return el, nil
}

// inflectEN returns common English inflections of a base word, including
// doubled final consonants ("crappy", "shitting").
func inflectEN(b string) []string {
	out := []string{b + "s", b + "es", b + "ed", b + "ing", b + "in", b + "er", b + "ers", b + "y"}
	n := len(b)
	if n >= 3 && !isVowel(b[n-1]) && isVowel(b[n-2]) && !isVowel(b[n-3]) {
		d := b + b[n-1:]
		out = append(out, d+"ing", d+"in", d+"ed", d+"er", d+"ers", d+"y")
	}
	return out
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

// tok is a word token of the normalised text.
type tok struct {
	s, e int32 // byte range in the normalised text
	info *tokInfo
	// masked is set when the token was resolved from a masked spelling.
	masked bool
}

// hit is one scored match before aggregation.
type hit struct {
	cat, rule, how string
	key            string // what is counted once (rule + word)
	w              float64
	severe         bool
	s, e           int // token range [s,e)
}

// Analyze scores text. It never panics; invalid UTF-8 bytes are read as
// U+FFFD by normalisation.
func (h *Heuristic) Analyze(text string) Analysis {
	a := Analysis{Categories: map[string]float64{}, Findings: []scanner.Finding{}}
	if strings.TrimSpace(text) == "" {
		return a
	}
	norm := normalize.Normalize(text, normalize.Options{})
	seg := &norm.Segments[0]
	toks := h.tokenize(seg.Text)
	var hits []hit
	for i := range toks {
		ti := toks[i].info
		if ti == nil {
			continue
		}
		if ti.lex >= 0 {
			hits = h.lexHit(seg.Text, toks, i, hits)
		}
		for _, pi := range ti.starts {
			p := &h.phrases[pi]
			end, ok := matchElems(p.elems, 0, toks, i, 0)
			if !ok {
				continue
			}
			w := p.w
			if end < len(toks) && p.unless != nil && p.unless[tokKey(seg.Text, toks, end)] {
				w *= 0.2
			}
			if p.cat == CategoryThreat && negatedBefore(toks, i) {
				w *= 0.25
			}
			hits = append(hits, hit{cat: p.cat, rule: p.rule, how: "phrase pattern", key: p.rule + "\x00" + tokText(seg.Text, toks, i, end),
				w: w, severe: p.severe, s: i, e: end})
		}
	}
	if len(hits) == 0 {
		return a
	}
	// Aggregate: the strongest weight per key, then noisy-OR per category.
	best := map[string]int{}
	for i, ht := range hits {
		if j, ok := best[ht.key]; !ok || ht.w > hits[j].w {
			best[ht.key] = i
		}
	}
	keep := make([]int, 0, len(best))
	for _, i := range best {
		keep = append(keep, i)
	}
	sort.Ints(keep)
	severe := 0.0
	for _, i := range keep {
		ht := hits[i]
		a.Categories[ht.cat] = 1 - (1-a.Categories[ht.cat])*(1-ht.w)
		if ht.severe && ht.w >= 0.5 {
			severe = math.Max(severe, ht.w)
		}
	}
	strong := 0
	for _, c := range []string{CategoryInsult, CategoryThreat, CategoryIdentityAttack, CategorySexualExplicit} {
		if a.Categories[c] >= 0.75 {
			strong++
		}
	}
	if strong >= 2 {
		severe = math.Max(severe, 0.8)
	}
	risk := 0.0
	for c, s := range a.Categories {
		s = round4(s)
		if s == 0 {
			delete(a.Categories, c)
			continue
		}
		a.Categories[c] = s
		risk = 1 - (1-risk)*(1-s)
	}
	if severe > 0 {
		a.Categories[CategorySevere] = round4(severe)
	}
	a.Risk = scanner.ClampRisk(round4(math.Max(risk, severe)))
	for _, i := range hits {
		if len(a.Findings) >= maxFindings {
			break
		}
		if i.w < 0.05 {
			continue
		}
		lo, hi := seg.Span(int(toks[i.s].s), int(toks[i.e-1].e))
		a.Findings = append(a.Findings, scanner.Finding{Rule: i.rule, Start: lo, End: hi, Score: round4(i.w), Detail: i.cat + " (" + i.how + ")"})
	}
	sort.SliceStable(a.Findings, func(i, j int) bool {
		x, y := a.Findings[i], a.Findings[j]
		if x.Start != y.Start {
			return x.Start < y.Start
		}
		if x.End != y.End {
			return x.End < y.End
		}
		return x.Rule < y.Rule
	})
	return a
}

// tokKey is token k's dictionary key, or its text when it is unknown.
func tokKey(t string, toks []tok, k int) string {
	if ti := toks[k].info; ti != nil {
		return ti.key
	}
	return t[toks[k].s:toks[k].e]
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func tokText(t string, toks []tok, s, e int) string {
	var b strings.Builder
	for k := s; k < e; k++ {
		if k > s {
			b.WriteByte(' ')
		}
		if ti := toks[k].info; ti != nil {
			b.WriteString(ti.key)
		} else {
			b.WriteString(t[toks[k].s:toks[k].e])
		}
	}
	return b.String()
}

// negatedBefore reports whether one of the two tokens before i negates
// ("never", "not").
func negatedBefore(toks []tok, i int) bool {
	for k := i - 1; k >= 0 && k >= i-2; k-- {
		if ti := toks[k].info; ti != nil && negations[ti.key] {
			return true
		}
	}
	return false
}

// lexHit scores the lexicon word at token i.
func (h *Heuristic) lexHit(t string, toks []tok, i int, hits []hit) []hit {
	ti := toks[i].info
	e := &h.entries[ti.lex]
	w := e.w
	rule, how := e.cat+".lexicon", "lexicon"
	if e.cat == CategoryIdentityAttack {
		rule, how = e.cat+".slur", "slur"
	}
	if toks[i].masked {
		how += ", masked spelling"
	}
	directed, negated, from := false, false, i
	if e.flags&(fDirect|fDirectOnly) != 0 {
		directed, negated, from = h.directed(toks, i)
	}
	switch {
	case directed && e.flags&fDirectOnly != 0:
		w = 0.75
		rule, how = e.cat+".directed", "directed at the addressee"
	case directed:
		w = math.Min(0.95, math.Max(w, 0.6)+0.25)
		rule, how = e.cat+".directed", "directed at the addressee"
	}
	if negated {
		w *= 0.25
	}
	if e.ctx != nil {
		lo, hi := max(0, i-ctxWindow), min(len(toks), i+ctxWindow+1)
		for k := lo; k < hi; k++ {
			if k != i && e.ctx[tokKey(t, toks, k)] {
				w *= 0.2
				break
			}
		}
	}
	if e.flags&fDirectOnly != 0 && !directed {
		// Undirected "stupid", "ugly": too common in harmless text to count.
		return hits
	}
	return append(hits, hit{cat: e.cat, rule: rule, how: how, key: rule + "\x00" + ti.key, w: w,
		severe: e.flags&fSevere != 0, s: from, e: i + 1})
}

// directed reports whether the insult at token i is aimed at the
// addressee ("you idiot", "you are a stupid, worthless idiot", "du bist ein
// Idiot") and whether that statement is negated ("you are not an idiot").
// from is the token where the directed phrase starts (i when not directed).
func (h *Heuristic) directed(toks []tok, i int) (directed, negated bool, from int) {
	k := i - 1
	for skipped := 0; k >= 0 && skipped < directBack; k-- {
		ti := toks[k].info
		if ti == nil {
			return false, false, i
		}
		if negations[ti.key] {
			negated = true
			skipped++
			continue
		}
		if ti.dfill || ti.lex >= 0 && h.entries[ti.lex].flags&(fDirect|fDirectOnly) != 0 {
			skipped++
			continue
		}
		break
	}
	if k < 0 || toks[k].info == nil {
		return false, false, i
	}
	// "I don't think you are an idiot", "that doesn't mean you are a loser"
	for j := k - 1; j >= 0 && j >= k-3; j-- {
		if ti := toks[j].info; ti != nil && negations[ti.key] {
			negated = true
		}
	}
	switch addressee[toks[k].info.key] {
	case 1:
		return true, negated, k
	case 2:
		// "you are", "are you", "du bist", "bist du"
		if k > 0 && toks[k-1].info != nil && addressee[toks[k-1].info.key] == 1 {
			return true, negated, k - 1
		}
		if k+1 < i && toks[k+1].info != nil && addressee[toks[k+1].info.key] == 1 {
			return true, negated, k
		}
	}
	return false, false, i
}

// matchElems matches els[ei:] at token ti, with c repetitions of els[ei]
// already matched. It returns the end token index.
func matchElems(els []elem, ei int, toks []tok, ti, c int) (int, bool) {
	if ei == len(els) {
		return ti, true
	}
	el := &els[ei]
	// Try one more repetition first (greedy), then moving on.
	if c < el.max && ti < len(toks) && el.matches(toks[ti].info) {
		if end, ok := matchElems(els, ei, toks, ti+1, c+1); ok {
			return end, true
		}
	}
	if c >= el.min {
		return matchElems(els, ei+1, toks, ti, 0)
	}
	return 0, false
}

func (el *elem) matches(ti *tokInfo) bool {
	if ti == nil {
		return false
	}
	if ti.cls&el.cls != 0 {
		return true
	}
	for _, w := range el.words {
		if w == ti.key {
			return true
		}
	}
	return false
}

// tokenize splits normalised text into word tokens and resolves each one
// against the dictionary. Word characters are letters and digits; an
// apostrophe between word characters stays inside the word ("you're"), as
// do masking characters (* ! # %) between letters ("f*ck", "sh!t").
func (h *Heuristic) tokenize(t string) []tok {
	toks := make([]tok, 0, len(t)/6+1)
	i := 0
	for i < len(t) {
		// skip to a word start
		c := t[i]
		if c < utf8.RuneSelf {
			if !isWordASCII(c) {
				i++
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(t[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				i += size
				continue
			}
		}
		start := i
		mask, apos := false, false
		for i < len(t) {
			c := t[i]
			if c < utf8.RuneSelf {
				if isWordASCII(c) {
					i++
					continue
				}
				if (c == '*' || c == '!' || c == '#' || c == '%') && i+1 < len(t) && isWordASCII(t[i+1]) && isLetterASCII(t[i-1]) {
					mask = true
					i++
					continue
				}
				if c == '\'' && i+1 < len(t) && isWordASCII(t[i+1]) {
					apos = true
					i++
					continue
				}
				break
			}
			r, size := utf8.DecodeRuneInString(t[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				i += size
				continue
			}
			if r == '\u2019' && i+size < len(t) && isWordASCII(t[i+size]) {
				apos = true
				i += size
				continue
			}
			break
		}
		w := t[start:i]
		tk := tok{s: int32(start), e: int32(i)}
		if h.shape[shapeOf(w)] {
			tk.info = h.dict[w]
		}
		if tk.info == nil {
			tk.info, tk.masked = h.resolve(w, mask, apos)
		}
		toks = append(toks, tk)
	}
	return toks
}

func isWordASCII(c byte) bool   { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
func isLetterASCII(c byte) bool { return c >= 'a' && c <= 'z' }

// resolve looks up a token that is not in the dictionary as written:
// typographic apostrophes, masked letters, stretched letters and compounds
// starting with a strong stem.
func (h *Heuristic) resolve(w string, mask, apos bool) (*tokInfo, bool) {
	if apos && strings.Contains(w, "\u2019") {
		w = strings.ReplaceAll(w, "\u2019", "'")
		if ti := h.dict[w]; ti != nil {
			return ti, false
		}
	}
	if mask {
		if ti := h.unmask(w); ti != nil {
			return ti, true
		}
		return nil, false
	}
	if wordshape.Stretched(w) {
		if ti := h.dict[wordshape.Squeeze(w, 1)]; ti != nil && ti.lex >= 0 {
			return ti, false
		}
		if ti := h.dict[wordshape.Squeeze(w, 2)]; ti != nil && ti.lex >= 0 {
			return ti, false
		}
	}
	if len(w) > 4 && h.prefix2[uint16(w[0])<<8|uint16(w[1])] {
		for _, p := range h.prefixes {
			if len(w) > len(p) && strings.HasPrefix(w, p) {
				return h.dict[p], false
			}
		}
	}
	return nil, false
}

// unmask resolves a masked spelling ("f*ck", "b!tch", "f*cking") to the
// lexicon word it can stand for: each run of masking characters stands for
// one to three letters, at least two letters must be visible, no more than
// max(2, visible-1) letters hidden, and the first character must be a letter. When several words fit, the one with the
// highest weight wins (ties: the alphabetically first, for determinism).
func (h *Heuristic) unmask(w string) *tokInfo {
	visible := 0
	for i := 0; i < len(w); i++ {
		if isWordASCII(w[i]) {
			visible++
		}
	}
	if visible < 2 || !isLetterASCII(w[0]) {
		return nil
	}
	var best *tokInfo
	for _, k := range h.masked {
		// At most max(2, visible-1) letters may be hidden: "f*k" is "fuck",
		// but "pi*r" in code is not "pisser".
		if hidden := len(k) - visible; hidden < 1 || hidden > max(2, visible-1) || k[0] != w[0] {
			continue
		}
		if !maskMatch(w, k) {
			continue
		}
		ti := h.dict[k]
		if best == nil || h.entries[ti.lex].w > h.entries[best.lex].w {
			best = ti
		}
	}
	return best
}

// maskMatch reports whether pattern p (letters and masking characters,
// each run of which stands for 1-3 letters) matches word k.
func maskMatch(p, k string) bool {
	if p == "" {
		return k == ""
	}
	c := p[0]
	if c == '*' || c == '!' || c == '#' || c == '%' {
		j := 1
		for j < len(p) && (p[j] == '*' || p[j] == '!' || p[j] == '#' || p[j] == '%') {
			j++
		}
		for n := 1; n <= 3 && n <= len(k); n++ {
			if maskMatch(p[j:], k[n:]) {
				return true
			}
		}
		return false
	}
	return k != "" && k[0] == c && maskMatch(p[1:], k[1:])
}

// Assess returns the heuristic risk and findings (the rule side of the
// hybrid Scanner).
func (h *Heuristic) Assess(text string) (float64, []scanner.Finding) {
	a := h.Analyze(text)
	return a.Risk, a.Findings
}

// Fingerprint is the lexicon version; it is part of the Scanner's cache key.
func (h *Heuristic) Fingerprint() string { return LexiconVersion }
