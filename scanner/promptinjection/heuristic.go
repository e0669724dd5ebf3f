package promptinjection

import (
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/normalize/ahocorasick"
	"github.com/llmshield/llmshield/scanner"
)

// Window sizes (bytes of normalised text) around a keyword hit in which a
// rule's regex runs. Rule patterns are bounded well below these.
const (
	windowBefore = 120
	windowAfter  = 220
	// maxMatchesPerRule caps how often one rule is reported per segment.
	maxMatchesPerRule = 4
	// maxFindings caps the findings of one analysis.
	maxFindings = 64
	// maxWindow caps merged windows.
	maxWindow = 640
	// maxAnchoredTries caps anchored attempts per rule and segment.
	maxAnchoredTries = 1024
)

// Analysis is the heuristic verdict on one text.
type Analysis struct {
	// Risk is in [0,1]: the noisy-OR of the family scores.
	Risk float64
	// Families maps each family that fired to its score in [0,1] (nil
	// when none fired).
	Families map[string]float64
	// Findings lists the matched rules with spans into the original text,
	// ordered by start offset.
	Findings []scanner.Finding
}

type compiledRule struct {
	ruleDef
	family string
	// progs are compiled on first use: building every rule's regular
	// expressions up front dominated start-up, and most texts reach only a
	// few rules.
	progs *ruleProgs
}

// ruleProgs are a rule's compiled patterns.
type ruleProgs struct {
	once sync.Once
	err  error
	// re is the pattern as run at a keyword hit (anchored for Anchored
	// rules); reWin is the unanchored pattern for window mode (anchored
	// rules fall back to it after maxAnchoredTries attempts in one segment,
	// so that text repeating a keyword costs linear time). Large patterns
	// are split at their top-level alternation: Go's regexp uses its fast
	// backtracker only for programs of at most 500 instructions.
	re    []*lazyRE
	reWin []*lazyRE
	// reDFA runs re (anchored rules only) as an anchoredDFA.
	reDFA []*anchoredDFA
	// win holds, per element of reWin, what findAll needs to search a
	// window without running the unanchored regex over all of it.
	win []winPart
	// leads are literals one of which every match starts with (derived
	// from the pattern; nil when no such set exists). A window is searched
	// only when it contains a lead.
	leads []string
	// leadBack finds the last lead in a window: a window without one is
	// skipped (see leadCache).
	leadBack *ahocorasick.Backward
}

// compiled returns the rule's patterns, compiling them on first use, or nil
// if they do not compile (TestRulesCompile rules that out for the built-in
// rules).
func (r *compiledRule) compiled() *ruleProgs {
	p := r.progs
	p.once.Do(func() { p.err = p.build(&r.ruleDef) })
	if p.err != nil {
		return nil
	}
	return p
}

func (p *ruleProgs) build(d *ruleDef) error {
	src := expand(d.Pattern)
	parts, err := splitPattern(src)
	if err != nil {
		return fmt.Errorf("rule %q: %w", d.ID, err)
	}
	p.reWin = lazyAll(parts, func(s string) string { return s })
	p.re = p.reWin
	if d.Anchored {
		wrap := func(s string) string { return `^[^\pL\pN]{0,2}(?:` + s + `)` }
		p.re = lazyAll(parts, wrap)
		for _, part := range parts {
			dfa, err := newAnchoredDFA(wrap(part))
			if err != nil {
				return fmt.Errorf("rule %q: %w", d.ID, err)
			}
			p.reDFA = append(p.reDFA, dfa)
		}
	}
	if p.win, err = compileWinParts(parts, p.reWin); err != nil {
		return fmt.Errorf("rule %q: %w", d.ID, err)
	}
	if tree, err := syntax.Parse(src, syntax.Perl); err == nil && !d.Anchored {
		if l, ok := leadSet(tree); ok {
			slices.Sort(l)
			p.leads = slices.Compact(l)
			p.leadBack = ahocorasick.NewBackward(p.leads)
		}
	}
	return nil
}

// leadSet returns the literals that every match of re starts with, or
// ok=false when the pattern can start otherwise (a broad class, an
// optional first element, an anchor alternative).
func leadSet(re *syntax.Regexp) (leads []string, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCapture, syntax.OpPlus:
		return leadSet(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false
		}
		return leadSet(re.Sub[0])
	case syntax.OpCharClass:
		// A few single characters, e.g. quote marks.
		if len(re.Rune) > 8 {
			return nil, false
		}
		for i := 0; i < len(re.Rune); i += 2 {
			if re.Rune[i] != re.Rune[i+1] {
				return nil, false
			}
			leads = append(leads, string(re.Rune[i]))
		}
		return leads, true
	case syntax.OpConcat:
		for i, sub := range re.Sub {
			switch sub.Op {
			case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
				continue
			}
			first, ok := leadSet(sub)
			if !ok || i+1 == len(re.Sub) {
				return first, ok
			}
			// Short leads ("n" of "no|not|never") filter little: extend
			// them with what must follow, while the set stays small.
			short := false
			for _, l := range first {
				short = short || len(l) < 3
			}
			if !short || !fixedLiteral(sub) {
				return first, true
			}
			rest, ok := leadSet(&syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[i+1:]})
			if !ok || len(first)*len(rest) > 64 {
				return first, true
			}
			for _, a := range first {
				for _, b := range rest {
					leads = append(leads, a+b)
				}
			}
			return leads, true
		}
		return nil, false
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			l, ok := leadSet(sub)
			if !ok {
				return nil, false
			}
			leads = append(leads, l...)
		}
		return leads, true
	}
	return nil, false
}

// maxProg is the program size above which a pattern is split.
const maxProg = 450

// splitPattern returns src, or the branches of its top-level alternation
// when src compiles to a large program.
func splitPattern(src string) ([]string, error) {
	re, prog, err := compileProg(src)
	if err != nil {
		return nil, err
	}
	if len(prog.Inst) <= maxProg || re.Op != syntax.OpAlternate {
		return []string{src}, nil
	}
	parts := make([]string, 0, len(re.Sub))
	for _, sub := range re.Sub {
		parts = append(parts, sub.String())
	}
	return parts, nil
}

// lazyRE is a regular expression compiled on first use. The rules' DFAs
// (anchoredDFA) serve almost every attempt; Go's regexp is only the
// fallback of a full DFA and the reference of tests, and compiling both up
// front made a rule's first use about 1.5 times as slow. The DFAs parse the
// same pattern parts first, so a lazyRE never meets a pattern that does not
// compile.
type lazyRE struct {
	once sync.Once
	src  string
	re   *regexp.Regexp
}

func (l *lazyRE) get() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.src) })
	return l.re
}

func lazyAll(srcs []string, wrap func(string) string) []*lazyRE {
	out := make([]*lazyRE, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, &lazyRE{src: wrap(s)})
	}
	return out
}

// Heuristic is the rule-based prompt-injection detector: text is normalised
// (internal/normalize), an Aho-Corasick automaton finds rule keywords, and
// each rule's RE2 pattern runs only on windows around its keyword hits, so
// text without trigger words never reaches a regex. Inside a window the
// pattern is tried anchored at the literals its matches start with (and
// not after the last literal every match must contain) rather than
// searched byte by byte: the same matches, at a fraction of the cost.
//
// The attempts run as lazily built DFAs over the program Go's regexp
// compiles from the same pattern (anchoredDFA, with Go's leftmost-first
// result; regexp remains the fallback). They are hand-written because Go's
// regexp, the only RE2-semantics engine for Go, costs a bitmap clear of
// instructions × input bytes per anchored call: its attempts were 37 % of
// the CPU on attack-dense prompts (one prompt at a time), and with the DFAs
// that workload went from ~104 to ~78 ms per corpus pass, p99 per prompt
// from ~430 to ~300 µs of CPU (scripts/heuristic-speed.sh).
//
// Scoring: every rule has a weight in (0,1]; the score of a family is the
// noisy-OR of the weights of its rules that matched (each rule counts once),
// and the risk is the noisy-OR of the family scores. Strong rules (ignore
// previous instructions, chat-template tokens, DAN) reach the default
// threshold of 0.5 alone; weak cues (you are now, pretend, stay in
// character) need company. Matches inside decoded payloads (base64, hex,
// URL, rot13, tag characters) also add an encoded_payload finding, and
// matches that were hidden with look-alike, invisible, leetspeak or spaced
// characters add encoded_payload.obfuscated_match.
//
// Work is linear in the input: keyword hits per rule are capped (anchored
// attempts fall back to merged windows), decoding is bounded by
// normalize.Options, and RE2 never backtracks exponentially. Text that
// floods one rule's keywords costs roughly 1 µs per byte in the worst case.
//
// A Heuristic is safe for concurrent use. NewHeuristic builds the keyword
// automaton; each rule's patterns are compiled once, on first use
// (sync.Once), which keeps start-up short.
type Heuristic struct {
	rules    []compiledRule
	ac       *ahocorasick.Matcher
	kwRules  [][]kwRule // keyword index -> rules
	kwLen    []int
	keywords []string
	rot13kw  int // keywords with index >= rot13kw are rot13 forms of strong keywords
	normOpts normalize.Options
	noLeads  bool // tests: disable the lead prefilter to check it changes nothing
	noDFA    bool // tests: run anchored patterns with Go's regexp only
	hitChunk int  // see the constant hitChunk
	// states recycles the per-analysis scratch (*state).
	states *sync.Pool
}

const (
	// Normalised text is lower case: a word character is a-z, 0-9 or any
	// non-ASCII character (ASCII classes keep the compiled programs small).
	macroSpace = `[^a-z0-9\x{80}-\x{10FFFF}]`
	macroWords = `(?:[a-z0-9'\x{80}-\x{10FFFF}]+[^a-z0-9\x{80}-\x{10FFFF}]+){0,3}`
	macroMany  = `(?:[a-z0-9'\x{80}-\x{10FFFF}]+[^a-z0-9\x{80}-\x{10FFFF}]+){0,6}`
	macroFill  = `(?:(?:me|us|back|out|all|of|the|your|ur|my|this|its|entire|full|complete|exact|exactly|whole|verbatim|original|initial|current|above|first|hidden|secret|system|please|now|again|word|for|mir|uns|bitte|deinen|deine|den|die|das|vollstandig\w*|komplett\w*|ganzen?|moi|nous|tout|toute|entier|complet|me|todo|toda|completo|por favor)[^a-z0-9\x{80}-\x{10FFFF}]+)*`
)

func expand(p string) string {
	p = strings.ReplaceAll(p, "%w", macroWords)
	p = strings.ReplaceAll(p, "%W", macroMany)
	p = strings.ReplaceAll(p, "%f", macroFill)
	// A literal space separates words: a run of non-alphanumerics. Words
	// glued together by spaced-out letters are caught by the
	// encoded_payload.spaced_phrase rule instead.
	var b strings.Builder
	depth := 0 // inside [...]
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
			continue
		case c == '[':
			depth++
		case c == ']' && depth > 0:
			depth--
		case c == ' ' && depth == 0:
			// " ?" makes the separator optional ("meta ?prompt").
			if i+1 < len(p) && p[i+1] == '?' {
				b.WriteString(macroSpace + "*")
				i++
				continue
			}
			b.WriteString(macroSpace + "+")
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// NewHeuristic checks the built-in rules and builds the keyword automaton;
// rule patterns are compiled on first use. It fails only if a rule is
// malformed, which tests (TestRulesCompile among them) rule out.
func NewHeuristic() (*Heuristic, error) {
	h := &Heuristic{normOpts: normalize.DefaultOptions(), states: &sync.Pool{}, hitChunk: hitChunk}
	kwIndex := map[string]int{}
	var kws []string
	var rotKW []string
	for i, d := range rules {
		fam, _, ok := strings.Cut(d.ID, ".")
		if !ok || d.Weight <= 0 || d.Weight > 1 || len(d.Keywords) == 0 {
			return nil, fmt.Errorf("rule %q: malformed (id family.name, weight in (0,1], keywords)", d.ID)
		}
		h.rules = append(h.rules, compiledRule{ruleDef: d, family: fam, progs: &ruleProgs{}})
		for _, k := range d.Keywords {
			bounded := d.Bounded
			if strings.HasPrefix(k, `\b`) && strings.HasSuffix(k, `\b`) {
				k, bounded = strings.TrimSuffix(strings.TrimPrefix(k, `\b`), `\b`), true
			}
			nk := normalize.String(k)
			if nk == "" {
				return nil, fmt.Errorf("rule %q: empty keyword", d.ID)
			}
			j, seen := kwIndex[nk]
			if !seen {
				j = len(kws)
				kwIndex[nk] = j
				kws = append(kws, nk)
				h.kwRules = append(h.kwRules, nil)
				h.kwLen = append(h.kwLen, len(nk))
			}
			if !slices.Contains(h.kwRules[j], kwRule{i, bounded}) {
				h.kwRules[j] = append(h.kwRules[j], kwRule{i, bounded})
			}
		}
		if d.Weight >= 0.8 {
			for _, k := range d.Keywords {
				if len(k) >= 5 && isASCIIAlpha(k) {
					rotKW = append(rotKW, normalize.ROT13(k))
				}
			}
		}
	}
	h.rot13kw = len(kws)
	for _, k := range rotKW {
		if _, seen := kwIndex[k]; !seen {
			kwIndex[k] = len(kws)
			kws = append(kws, k)
		}
	}
	h.ac = ahocorasick.New(kws)
	h.keywords = kws
	return h, nil
}

func isASCIIAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < 'a' || s[i] > 'z') && s[i] != ' ' {
			return false
		}
	}
	return true
}

type window struct{ lo, hi int }

// kwRule links a keyword to a rule that it triggers.
type kwRule struct {
	rule    int
	bounded bool // the hit must not be part of a longer word
}

// state accumulates one analysis.
type state struct {
	// ruleW[ri] is the weight rule ri reached (0: none); hit lists the
	// rules with a weight, in order of first match, so that a text without
	// matches costs no map or array walk at the end.
	ruleW    []float64
	hit      []int
	extraW   map[string]float64 // synthetic rule id -> weight
	perRule  []int              // findings per rule (all segments)
	findings []scanner.Finding
	// keyword hits of the segment being scanned
	matches []ahocorasick.Match
	// scratch for findAll
	starts []int
	locs   [][2]int
	// per-segment scratch for scanSegment, indexed by rule (allocated at
	// the first keyword hit, reset for every segment)
	wins         [][]window
	lastAnchored []int
	tries        []int
	touched      []int // rules with windows, in order of first window
	nl           newlines
	// scoring scratch (Analyze)
	fams []famScore
	ids  []string
}

// famScore is a family's noisy-OR score during scoring.
type famScore struct {
	name  string
	score float64
}

func (h *Heuristic) getState() *state {
	if st, ok := h.states.Get().(*state); ok {
		return st
	}
	return &state{ruleW: make([]float64, len(h.rules)), extraW: map[string]float64{}, perRule: make([]int, len(h.rules))}
}

// putState clears st (findings are copied out by Analyze) and recycles it.
func (h *Heuristic) putState(st *state) {
	for _, ri := range st.hit {
		st.ruleW[ri] = 0
	}
	if len(st.extraW) > 0 {
		clear(st.extraW)
	}
	if len(st.hit) > 0 {
		// a rule's count only grows where it also gets a weight
		clear(st.perRule)
	}
	st.hit = st.hit[:0]
	if len(st.findings) > 0 {
		clear(st.findings) // drop the detail strings
		st.findings = st.findings[:0]
	}
	if cap(st.matches) > 1<<14 {
		st.matches = nil // one keyword-flooded text should not pin its hits
	}
	h.states.Put(st)
}

// resetSegment prepares the per-segment scratch for n rules.
func (st *state) resetSegment(n int) {
	if st.wins == nil {
		st.wins, st.lastAnchored, st.tries = make([][]window, n), make([]int, n), make([]int, n)
	}
	for _, ri := range st.touched {
		st.wins[ri] = st.wins[ri][:0]
	}
	st.touched = st.touched[:0]
	st.nl = newlines{last: -1}
	clear(st.lastAnchored)
	clear(st.tries)
}

func (st *state) addFinding(f scanner.Finding) {
	if len(st.findings) < maxFindings {
		st.findings = append(st.findings, f)
	}
}

func (st *state) extra(id string, w float64) {
	if w > st.extraW[id] {
		st.extraW[id] = w
	}
}

// Analyze scores text. It never panics; invalid UTF-8 bytes are treated as
// U+FFFD by normalisation.
func (h *Heuristic) Analyze(text string) Analysis {
	a := Analysis{Findings: []scanner.Finding{}}
	if strings.TrimSpace(text) == "" {
		return a
	}
	st := h.getState()
	defer h.putState(st)
	norm := normalize.Normalize(text, h.normOpts)
	defer norm.Release() // findings hold offsets only, never segment text
	rot13 := false
	for si := range norm.Segments {
		rot13 = h.scanSegment(&norm.Segments[si], text, st) && si == 0 || rot13
	}
	// rot13: strong keywords in rot13 form mean the text may be rot13
	// encoded (normalize already decodes when the text mentions rot13).
	if rot13 && !hasKind(norm, normalize.Rot13) {
		dec := normalize.Normalize(normalize.ROT13(text), normalize.Options{})
		seg := dec.Segments[0]
		seg.Kind = normalize.Rot13 // spans: the whole text
		h.scanSegment(&seg, text, st)
		dec.Release()
	}
	if norm.Stats.Invisible >= 8 {
		st.extra(FamilyEncodedPayload+".invisible_characters", 0.15)
		a.Findings = append(a.Findings, scanner.Finding{Rule: FamilyEncodedPayload + ".invisible_characters", Score: 0.15,
			Detail: fmt.Sprintf("%s: %d invisible characters", FamilyEncodedPayload, norm.Stats.Invisible)})
	}
	if len(st.hit) == 0 && len(st.extraW) == 0 {
		a.Risk = scanner.ClampRisk(0)
		return a
	}
	// Score: noisy-OR within a family, then across families. Rules and
	// synthetic ids are taken in sorted order so that floating-point
	// results are identical from run to run.
	st.fams = st.fams[:0]
	addFam := func(f string, w float64) {
		for i := range st.fams {
			if st.fams[i].name == f {
				st.fams[i].score = 1 - (1-st.fams[i].score)*(1-w)
				return
			}
		}
		st.fams = append(st.fams, famScore{f, 1 - (1-0)*(1-w)})
	}
	slices.Sort(st.hit)
	for _, ri := range st.hit {
		addFam(h.rules[ri].family, st.ruleW[ri])
	}
	st.ids = st.ids[:0]
	for id := range st.extraW {
		st.ids = append(st.ids, id)
	}
	slices.Sort(st.ids)
	for _, id := range st.ids {
		f, _, _ := strings.Cut(id, ".")
		addFam(f, st.extraW[id])
	}
	slices.SortFunc(st.fams, func(x, y famScore) int { return strings.Compare(x.name, y.name) })
	risk := 0.0
	a.Families = make(map[string]float64, len(st.fams))
	for _, f := range st.fams {
		s := math.Round(f.score*1e4) / 1e4
		a.Families[f.name] = s
		risk = 1 - (1-risk)*(1-s)
	}
	a.Risk = scanner.ClampRisk(math.Round(risk*1e4) / 1e4)
	a.Findings = append(a.Findings, st.findings...)
	if len(a.Findings) < 2 {
		return a
	}
	slices.SortStableFunc(a.Findings, func(x, y scanner.Finding) int {
		if x.Start != y.Start {
			return x.Start - y.Start
		}
		if x.End != y.End {
			return x.End - y.End
		}
		return strings.Compare(x.Rule, y.Rule)
	})
	return a
}

func hasKind(r normalize.Result, k normalize.Kind) bool {
	for _, s := range r.Segments {
		if s.Kind == k {
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}

// scanSegment runs the rules on one segment. It reports whether rot13
// forms of strong keywords occurred.
func (h *Heuristic) scanSegment(seg *normalize.Segment, orig string, st *state) (rot13 bool) {
	t := seg.Text
	started := false
	// Keyword hits are collected a chunk of text at a time, so that the
	// scratch stays small on long texts; each chunk's walk starts early
	// enough to see the hits that end in it (and only those are used).
	overlap := h.ac.MaxLen() - 1
	for c := 0; c < len(t); c += h.hitChunk {
		off := max(0, c-overlap)
		st.matches = h.ac.AppendMatches(st.matches[:0], t[off:min(len(t), c+h.hitChunk)])
		for _, m := range st.matches {
			m.Start, m.End = m.Start+off, m.End+off
			if m.End <= c {
				continue // the previous chunk's
			}
			rot13 = h.keywordHit(seg, orig, t, m, st, &started) || rot13
		}
	}
	if !started || len(st.touched) == 0 { // touched may be the last segment's
		return rot13
	}
	slices.Sort(st.touched)
	for _, ri := range st.touched {
		h.searchWindows(seg, orig, ri, st)
	}
	return rot13
}

// leadCache answers "does t[lo:hi] hold a lead of the rule?" for the
// windows of one rule, which arrive in order and overlap, without walking
// what earlier walks already covered: known is a lead found before (the
// last one of its window, which the next windows most likely also hold),
// empty a stretch of t without a lead (lo < 0: none).
type leadCache struct{ known, empty window }

func newLeadCache() leadCache {
	return leadCache{known: window{-1, -1}, empty: window{-1, -1}}
}

func (c *leadCache) contains(b *ahocorasick.Backward, t string, lo, hi int) bool {
	if c.known.lo >= lo && c.known.hi <= hi {
		return true
	}
	from := lo
	inEmpty := c.empty.lo >= 0 && c.empty.lo <= lo && lo <= c.empty.hi
	if inEmpty {
		if hi <= c.empty.hi {
			return false
		}
		// A lead inside [lo,hi) but not inside empty ends after
		// empty.hi, so it starts after empty.hi-MaxLen.
		from = max(lo, c.empty.hi-b.MaxLen()+1)
	}
	s, e := b.Last(t[from:hi])
	if s < 0 {
		if from > lo {
			// No lead inside [from,hi) nor inside empty: none inside
			// [empty.lo,hi) either, since a lead ending after empty.hi
			// starts at from or later.
			c.empty.hi = hi
		} else {
			c.empty = window{lo, hi}
		}
		return false
	}
	c.known = window{from + s, from + e}
	return true
}

// hitChunk is how much text scanSegment collects keyword hits for at a
// time (Heuristic.hitChunk: tests set it small).
const hitChunk = 64 << 10

// keywordHit handles keyword hit m in segment text t: it runs the anchored
// rules the keyword triggers at the hit and adds windows for the others.
// It reports whether the keyword is the rot13 form of a strong keyword.
func (h *Heuristic) keywordHit(seg *normalize.Segment, orig, t string, m ahocorasick.Match, st *state, started *bool) (rot13 bool) {
	if m.Pattern >= h.rot13kw {
		return true
	}
	if !*started {
		*started = true
		st.resetSegment(len(h.rules))
	}
	bounded := (m.Start == 0 || !isWordByte(t[m.Start-1])) && (m.End == len(t) || !isWordByte(t[m.End]))
	for _, kr := range h.kwRules[m.Pattern] {
		ri := kr.rule
		if st.perRule[ri] >= maxMatchesPerRule {
			continue
		}
		if kr.bounded && !bounded {
			continue
		}
		r := &h.rules[ri]
		rp := r.compiled()
		if rp == nil {
			continue
		}
		if r.Follow != "" && strings.IndexAny(t[m.End:min(len(t), m.End+r.FollowWithin)], r.Follow) < 0 {
			continue
		}
		if r.Anchored && st.tries[ri] < maxAnchoredTries {
			st.tries[ri]++
			// Try the anchored regex right at the hit (and at most two
			// separator bytes before it, for "[dan]" and similar).
			lo := max(0, m.Start-2)
			for lo < m.Start && isWordByte(t[lo]) {
				lo++
			}
			after := windowAfter
			if r.After > 0 {
				after = r.After
			}
			hi := min(len(t), m.Start+after)
			for hi < len(t) && !utf8.RuneStart(t[hi]) {
				hi++
			}
			if end, ok := h.firstAnchored(rp, t[lo:hi]); ok {
				s, e := lo, lo+end
				for s < e && strings.IndexByte(" \n.,;:!?\"'", t[s]) >= 0 {
					s++
				}
				if e > s && s >= st.lastAnchored[ri] {
					st.lastAnchored[ri] = e
					h.record(seg, orig, ri, s, e, st)
				}
			}
			continue
		}
		before := windowBefore
		if r.Before > 0 {
			before = r.Before
		}
		if r.Anchored {
			before = 2
		}
		after := windowAfter
		if r.After > 0 {
			after = r.After
		}
		lo, hi := windowAround(t, m.Start, m.End, before, after, &st.nl)
		if len(st.wins[ri]) == 0 {
			st.touched = append(st.touched, ri)
		}
		// Filtered and merged by searchWindows after the keyword walk.
		st.wins[ri] = append(st.wins[ri], window{lo, hi})
	}
	return false
}

// searchWindows searches rule ri's windows (one per keyword hit, in order)
// for matches. A window without any of the rule's leads is dropped;
// overlapping windows merge, up to maxWindow bytes (beyond that Go's
// regexp leaves its backtracker for the slower NFA); each merged window is
// searched once it is complete. Once the rule has maxMatchesPerRule
// matches, the windows after are not even checked for leads: on a long
// attack-dense document, checking every window of every rule during the
// keyword walk was 18 % of the CPU (BenchmarkCmpJailbreakDoc).
func (h *Heuristic) searchWindows(seg *normalize.Segment, orig string, ri int, st *state) {
	t := seg.Text
	r := &h.rules[ri]
	rp := r.progs // compiled when the windows were added
	ws := st.wins[ri]
	var cur window
	have := false
	lastEnd := -1
	leads := newLeadCache()
	for i := 0; i <= len(ws); i++ {
		if i < len(ws) {
			w := ws[i]
			if rp.leads != nil && !h.noLeads && !leads.contains(rp.leadBack, t, w.lo, w.hi) {
				continue
			}
			if have && w.lo <= cur.hi && w.hi-cur.lo <= maxWindow {
				cur.hi, cur.lo = max(cur.hi, w.hi), min(cur.lo, w.lo)
				continue
			}
		}
		if have { // cur is complete
			left := maxMatchesPerRule - st.perRule[ri]
			if left <= 0 {
				return
			}
			st.locs = h.findAll(r, t, cur.lo, cur.hi, left, st)
			for _, loc := range st.locs {
				s, e := loc[0], loc[1]
				if s < lastEnd || e == s {
					continue
				}
				lastEnd = e
				h.record(seg, orig, ri, s, e, st)
			}
		}
		if i < len(ws) {
			cur, have = ws[i], true
		}
	}
}

// fixedLiteral reports whether every match of re is exactly one of its
// lead literals (so that what follows can be appended to them).
func fixedLiteral(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return true
	case syntax.OpCapture:
		return fixedLiteral(re.Sub[0])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !fixedLiteral(sub) {
				return false
			}
		}
		return true
	case syntax.OpCharClass:
		for i := 0; i < len(re.Rune); i += 2 {
			if re.Rune[i] != re.Rune[i+1] {
				return false
			}
		}
		return len(re.Rune) <= 8
	}
	return false
}

// firstAnchored returns the end of the longest match of any of the rule's
// anchored patterns rp.re at the start of t (every match starts at 0).
func (h *Heuristic) firstAnchored(rp *ruleProgs, t string) (best int, found bool) {
	for i, re := range rp.re {
		if end, ok := h.anchoredEnd(re, rp.reDFA[i], t); ok && (!found || end > best) {
			best, found = end, true
		}
	}
	return best, found
}

// anchoredEnd returns the end of re's match at the start of t (re begins
// with ^), as re.FindStringIndex(t) would, by its DFA unless that is full
// (or tests switched it off).
func (h *Heuristic) anchoredEnd(re *lazyRE, dfa *anchoredDFA, t string) (int, bool) {
	if !h.noDFA {
		if end, matched, ok := dfa.match(t); ok {
			return end, matched
		}
	}
	if loc := re.get().FindStringIndex(t); loc != nil {
		return loc[1], true
	}
	return 0, false
}

// winPart is one element of a rule's window-mode pattern. When every match
// of it starts with one of a few literals (leads), a window is searched by
// finding those literals with an Aho-Corasick automaton and trying the
// anchored regex only there: Go's unanchored search costs about a
// microsecond per byte for these programs, while a failed anchored attempt
// stops after a few instructions. The result is the same as
// re.FindAllStringIndex on the window (leftmost-first, non-overlapping),
// which TestLeadPrefilterIsExact checks.
type winPart struct {
	re    *lazyRE              // unanchored
	leads *ahocorasick.Matcher // nil: no lead set, run re on the window
	at    *lazyRE              // ^(?:part), for a match at the window start
	atCtx *lazyRE              // ^(?s:.)(?:part), one byte of left context for \b
	// atDFA and atCtxDFA run at and atCtx (see anchoredDFA).
	atDFA, atCtxDFA *anchoredDFA
	// req finds literals one of which every match contains after its lead
	// (nil when the pattern has no such set): an attempt at a lead after
	// the last of them cannot match. It walks the window from its end, so
	// that it stops at the last one, and the leads are then looked for only
	// up to there: in attack-dense text the joint forward walk of both
	// automata over every merged window (AppendStartsAndLast) was 26 % of
	// the CPU of JailbreakRows.
	req *ahocorasick.Backward
}

// reqSet returns literals one of which occurs in every match of re, or
// ok=false. skipFirst leaves out the first element of a concatenation
// (the lead, which is known to be present).
func reqSet(re *syntax.Regexp, skipFirst bool) (lits []string, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || skipFirst {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCapture, syntax.OpPlus:
		return reqSet(re.Sub[0], skipFirst)
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false
		}
		return reqSet(re.Sub[0], skipFirst)
	case syntax.OpCharClass:
		if skipFirst {
			return nil, false
		}
		l, ok := leadSet(re)
		return l, ok
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			l, ok := reqSet(sub, skipFirst)
			if !ok {
				return nil, false
			}
			lits = append(lits, l...)
		}
		return lits, len(lits) <= 64
	case syntax.OpConcat:
		first := true
		best, bestScore := []string(nil), 0
		for _, sub := range re.Sub {
			switch sub.Op {
			case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
				continue
			}
			if first && skipFirst {
				first = false
				continue
			}
			first = false
			l, ok := reqSet(sub, false)
			if !ok || len(l) == 0 || len(l) > 64 {
				continue
			}
			shortest := len(l[0])
			for _, x := range l {
				shortest = min(shortest, len(x))
			}
			if score := shortest*100 - len(l); best == nil || score > bestScore {
				best, bestScore = l, score
			}
		}
		return best, best != nil
	}
	return nil, false
}

func compileWinParts(parts []string, res []*lazyRE) ([]winPart, error) {
	out := make([]winPart, len(parts))
	for i, p := range parts {
		out[i].re = res[i]
		tree, err := syntax.Parse(p, syntax.Perl)
		if err != nil {
			return nil, err
		}
		out[i].at = &lazyRE{src: `^(?:` + p + `)`}
		out[i].atCtx = &lazyRE{src: `^(?s:.)(?:` + p + `)`}
		if out[i].atDFA, err = newAnchoredDFA(`^(?:` + p + `)`); err != nil {
			return nil, err
		}
		if out[i].atCtxDFA, err = newAnchoredDFA(`^(?s:.)(?:` + p + `)`); err != nil {
			return nil, err
		}
		leads, ok := leadSet(tree)
		if !ok || len(leads) == 0 || slices.Contains(leads, "") {
			continue
		}
		out[i].leads = ahocorasick.New(leads)
		if req, ok := reqSet(tree, true); ok && len(req) > 0 && !slices.Contains(req, "") {
			out[i].req = ahocorasick.NewBackward(req)
		}
	}
	return out, nil
}

// attempt runs the part's anchored DFA at byte q of w (with the byte
// before q as context, for \b): the end of the match that starts at q, as
// the part's regexp would find it there. ok is false when the DFA is full.
func (p *winPart) attempt(w string, q int) (end int, matched, ok bool) {
	if q == 0 {
		return p.atDFA.match(w)
	}
	end, matched, ok = p.atCtxDFA.match(w[q-1:])
	return end + q - 1, matched, ok
}

// searchAll appends what p.re.FindAllStringIndex(w, n) returns (offset by
// lo) to dst, by trying the part's anchored DFA at every position, as Go's
// regexp does for an unanchored search (regexp.allMatches, including its
// handling of empty matches). It is for parts without lead literals, whose
// unanchored search with Go's regexp costs a bitmap clear per call and an
// attempt per position; a failed DFA attempt is one or two table loads.
// ok is false (dst unchanged) when a DFA is full.
func (p *winPart) searchAll(w string, lo, n int, dst [][2]int) (out [][2]int, ok bool) {
	base := len(dst)
	prevEnd := -1
	for pos, found := 0, 0; found < n && pos <= len(w); {
		a, b := -1, -1
		for q := pos; q <= len(w); {
			end, matched, ok := p.attempt(w, q)
			if !ok {
				return dst[:base], false
			}
			if matched {
				a, b = q, end
				break
			}
			q += runeWidth(w, q)
		}
		if a < 0 {
			break
		}
		accept := true
		if b == pos { // an empty match, not accepted right after a match
			accept = a != prevEnd
			pos += runeWidth(w, pos)
		} else {
			pos = b
		}
		prevEnd = b
		if accept {
			dst = append(dst, [2]int{lo + a, lo + b})
			found++
		}
	}
	return dst, true
}

// runeWidth is the width of the rune at s[i] as Go's regexp steps over it
// (invalid bytes are one wide), or 1 at the end of s.
func runeWidth(s string, i int) int {
	if i >= len(s) {
		return 1
	}
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return w
}

// findAll returns up to n matches of the rule's window patterns in
// t[lo:hi] as offsets into t, ordered by start (longer first on ties), as
// FindAllStringIndex on t[lo:hi] would find them. The result lives in
// st.locs and is valid until the next call.
func (h *Heuristic) findAll(r *compiledRule, t string, lo, hi, n int, st *state) [][2]int {
	st.locs = st.locs[:0]
	w := t[lo:hi]
	rp := r.compiled() // compiled when the window was added
	for i := range rp.win {
		p := &rp.win[i]
		if p.leads == nil || h.noLeads {
			if !h.noLeads && !h.noDFA {
				var ok bool
				if st.locs, ok = p.searchAll(w, lo, n, st.locs); ok {
					continue
				}
			}
			for _, loc := range p.re.get().FindAllStringIndex(w, n) {
				st.locs = append(st.locs, [2]int{lo + loc[0], lo + loc[1]})
			}
			continue
		}
		last := len(w) // no attempt after the last required literal
		if p.req != nil {
			if last = p.req.LastStart(w); last < 0 {
				continue
			}
		}
		// A lead that starts at or before last ends within MaxLen bytes;
		// later ones are never tried.
		st.starts = p.leads.AppendStarts(st.starts[:0], w[:min(len(w), last+p.leads.MaxLen())])
		if len(st.starts) == 0 || last < 0 {
			continue
		}
		slices.Sort(st.starts)
		found, pos := 0, 0
		for k, s := range st.starts {
			if s > last {
				break
			}
			if s < pos || k > 0 && s == st.starts[k-1] {
				continue
			}
			var end int
			var ok bool
			if s == 0 {
				end, ok = h.anchoredEnd(p.at, p.atDFA, w)
			} else if end, ok = h.anchoredEnd(p.atCtx, p.atCtxDFA, w[s-1:]); ok {
				// The context byte never starts a multi-byte rune that
				// reaches into the lead, so the match proper starts at s.
				end += s - 1
			}
			if !ok || end == s {
				continue
			}
			st.locs = append(st.locs, [2]int{lo + s, lo + end})
			pos = end
			if found++; found == n {
				break
			}
		}
	}
	if len(rp.win) > 1 {
		slices.SortStableFunc(st.locs, func(a, b [2]int) int {
			if a[0] != b[0] {
				return a[0] - b[0]
			}
			return b[1] - a[1]
		})
	}
	return st.locs
}

// windowAround returns the region of t around [s,e) in which a rule's regex
// runs: windowBefore/windowAfter bytes, extended to the start of the line
// when one is near, and snapped to UTF-8 boundaries. nl holds what earlier
// calls on t learnt about its line breaks.
func windowAround(t string, s, e, before, after int, nl *newlines) (int, int) {
	lo := max(0, s-before)
	if i := nl.lastIn(t, lo, s); i >= 0 {
		lo += i
	}
	hi := min(len(t), e+after)
	for lo > 0 && !utf8.RuneStart(t[lo]) {
		lo--
	}
	for hi < len(t) && !utf8.RuneStart(t[hi]) {
		hi++
	}
	return lo, hi
}

// newlines answers windowAround's question, where the last line break
// before a keyword hit is, for the hits of one segment. They arrive in
// order (of end, so starts are nearly in order), and it scans the text
// forward once with strings.IndexByte, which is vectorised, remembering
// the last break it passed; strings.LastIndexByte, a byte-at-a-time loop,
// over the bytes before every hit was 5.75 % of BenchmarkCmpJailbreakDoc's
// CPU.
type newlines struct {
	upto int // t[:upto] has been scanned
	last int // the last '\n' in t[:upto], or -1
}

// lastIn returns strings.LastIndexByte(t[lo:s], '\n').
func (c *newlines) lastIn(t string, lo, s int) int {
	for c.upto < s {
		j := strings.IndexByte(t[c.upto:s], '\n')
		if j < 0 {
			c.upto = s
			break
		}
		c.last = c.upto + j
		c.upto = c.last + 1
	}
	switch {
	case c.last >= s: // a hit that starts before the last break passed
		return strings.LastIndexByte(t[lo:s], '\n')
	case c.last >= lo:
		return c.last - lo
	}
	return -1
}

func (h *Heuristic) record(seg *normalize.Segment, orig string, ri, s, e int, st *state) {
	r := &h.rules[ri]
	a, b := seg.Span(s, e)
	if r.RequireObfuscation && (seg.Kind != normalize.Plain || !obfuscated(orig[a:b], seg.Text[s:e])) {
		return
	}
	st.perRule[ri]++
	w := r.Weight
	detail := r.family + ": " + r.Detail
	if seg.Kind != normalize.Plain {
		detail += " (in " + seg.Kind.String() + "-decoded text)"
		if w >= 0.3 {
			id := FamilyEncodedPayload + "." + seg.Kind.String()
			ew := min(0.9, 0.5+w/2)
			if ew > st.extraW[id] {
				st.addFinding(scanner.Finding{Rule: id, Start: a, End: b, Score: ew,
					Detail: FamilyEncodedPayload + ": " + seg.Kind.String() + " payload decodes to " + r.family + " content"})
			}
			st.extra(id, ew)
		}
	} else if w >= 0.3 && obfuscated(orig[a:b], seg.Text[s:e]) {
		id := FamilyEncodedPayload + ".obfuscated_match"
		if st.extraW[id] == 0 {
			st.addFinding(scanner.Finding{Rule: id, Start: a, End: b, Score: 0.5,
				Detail: FamilyEncodedPayload + ": " + r.family + " phrase hidden with look-alike, invisible, leetspeak or spaced characters"})
		}
		st.extra(id, 0.5)
	}
	if st.ruleW[ri] == 0 {
		st.hit = append(st.hit, ri)
	}
	if w > st.ruleW[ri] {
		st.ruleW[ri] = w
	}
	st.addFinding(scanner.Finding{Rule: r.ID, Start: a, End: b, Score: w, Detail: detail})
}

// obfuscated reports whether the original text of a match hides the phrase
// the normalised text shows: look-alike or invisible characters, leetspeak
// digits, or letters spaced apart.
func obfuscated(orig, norm string) bool {
	for _, r := range orig {
		if normalize.IsObfuscation(r) {
			return true
		}
	}
	if strings.ContainsAny(orig, "013457@$") && !strings.ContainsAny(norm, "013457@$") {
		return true
	}
	// spaced letters: "i g n o r e"
	singles := 0
	for _, f := range strings.FieldsFunc(orig, func(r rune) bool { return r == ' ' || r == '.' || r == '-' || r == '_' || r == '*' }) {
		if utf8.RuneCountInString(f) == 1 {
			singles++
		}
	}
	return singles >= 4
}

// Assess returns the heuristic risk and findings (the rule side of the
// hybrid Scanner).
func (h *Heuristic) Assess(text string) (float64, []scanner.Finding) {
	a := h.Analyze(text)
	return a.Risk, a.Findings
}

// Fingerprint is the rules version; it is part of the Scanner's cache key.
func (h *Heuristic) Fingerprint() string { return RulesVersion }
