package secrets

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/llmshield/llmshield/internal/normalize/ahocorasick"
)

// engine runs a rule set: an Aho-Corasick pass over the lower-cased text
// finds the keywords present, and only the rules gated by one of them (plus
// the rules without keywords) run their regular expressions. It is
// immutable and safe for concurrent use.
type engine struct {
	rules      []*compiledRule
	always     []int // rules without keywords
	ac         *ahocorasick.Matcher
	kwRules    [][]int // keyword index -> rules it gates
	ruleKws    [][]int // rule index -> its keyword indices
	kwLen      []int   // keyword index -> length in bytes
	allowlists []compiledAllowlist
	// windows is true when every keyword is ASCII, so that lower-casing
	// keeps byte offsets and keyword positions can bound the regex runs.
	windows bool
	// scratch recycles the per-segment working memory (*scratch): the
	// keyword offset table alone is one slice header per keyword, some
	// 8 KB per scan that a short prompt would otherwise allocate.
	scratch sync.Pool
}

// scratch is detectSegment's working memory. kwAt[k] is non-empty only for
// the keywords listed in used, which is how it is cleared.
type scratch struct {
	enabled []bool
	kwAt    [][]int
	used    []int
	low     []byte
}

func (e *engine) getScratch() *scratch {
	sc, _ := e.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{enabled: make([]bool, len(e.rules)), kwAt: make([][]int, len(e.kwRules))}
	}
	return sc
}

// maxPooledLow bounds the lower-cased copy a pooled scratch keeps.
const maxPooledLow = 64 << 10

func (e *engine) putScratch(sc *scratch) {
	clear(sc.enabled)
	for _, k := range sc.used {
		sc.kwAt[k] = sc.kwAt[k][:0]
	}
	sc.used = sc.used[:0]
	if cap(sc.low) > maxPooledLow {
		sc.low = nil
	}
	e.scratch.Put(sc)
}

func newEngine(rules []*compiledRule, global []compiledAllowlist) *engine {
	e := &engine{rules: rules, allowlists: global, ruleKws: make([][]int, len(rules)), windows: true}
	kwIndex := map[string]int{}
	var kws []string
	for ri, r := range rules {
		if len(r.keywords) == 0 {
			e.always = append(e.always, ri)
			continue
		}
		for _, k := range r.keywords {
			ki, ok := kwIndex[k]
			if !ok {
				ki = len(kws)
				kwIndex[k] = ki
				kws = append(kws, k)
				e.kwRules = append(e.kwRules, nil)
				e.kwLen = append(e.kwLen, len(k))
				if !isASCII(k) {
					e.windows = false
				}
			}
			if !slices.Contains(e.ruleKws[ri], ki) {
				e.ruleKws[ri] = append(e.ruleKws[ri], ki)
			}
			if n := len(e.kwRules[ki]); n == 0 || e.kwRules[ki][n-1] != ri {
				e.kwRules[ki] = append(e.kwRules[ki], ri)
			}
		}
	}
	e.ac = ahocorasick.New(kws)
	return e
}

// hit is one secret a rule found: the secret is text[start:end], inside
// the rule's whole match text[mstart:mend].
type hit struct {
	rule          int
	start, end    int
	mstart, mend  int
	entropy       float64
	otherInstance bool // a repeat of a secret found elsewhere by rule
}

// Segmenting bounds the work on huge texts: each segment is prefiltered on
// its own, so a keyword enables its rules only near where it occurs.
const (
	segmentSize    = 64 << 10
	segmentOverlap = 4 << 10
)

// detect returns the secrets in text, ordered by start. It returns
// ctx.Err() if ctx is done before it finishes.
func (e *engine) detect(ctx context.Context, text string) ([]hit, error) {
	if len(text) <= segmentSize {
		return e.detectSegment(ctx, text, 0, len(text), len(text), nil)
	}
	var hits []hit
	for start := 0; start < len(text); {
		end := min(start+segmentSize, len(text))
		next := end
		if end < len(text) {
			// Segments overlap; a match belongs to the segment in which it
			// starts before the next segment's start (cut at a line break
			// when one is near, so matches keep their line).
			next = end - segmentOverlap
			if nl := strings.LastIndexByte(text[next-segmentOverlap:next], '\n'); nl >= 0 {
				next = next - segmentOverlap + nl + 1
			}
		}
		var err error
		hits, err = e.detectSegment(ctx, text, start, end, next, hits)
		if err != nil {
			return nil, err
		}
		start = next
	}
	return hits, nil
}

// detectSegment scans text[lo:hi], keeping matches that start before own.
func (e *engine) detectSegment(ctx context.Context, text string, lo, hi, own int, hits []hit) ([]hit, error) {
	seg := text[lo:hi]
	sc := e.getScratch()
	defer e.putScratch(sc)
	enabled := sc.enabled
	for _, ri := range e.always {
		enabled[ri] = true
	}
	var kwAt [][]int // keyword index -> start offsets in seg
	if e.ac.Len() > 0 {
		var low string
		if e.windows {
			// ASCII lower-casing keeps offsets; the copy lives in the
			// scratch, and only keyword offsets outlive this call.
			sc.low = appendLowerASCII(sc.low[:0], seg)
			low = unsafe.String(unsafe.SliceData(sc.low), len(sc.low))
			kwAt = sc.kwAt
		} else {
			low = strings.ToLower(seg)
		}
		e.ac.Each(low, func(m ahocorasick.Match) bool {
			for _, ri := range e.kwRules[m.Pattern] {
				enabled[ri] = true
			}
			if kwAt != nil {
				if len(kwAt[m.Pattern]) == 0 {
					sc.used = append(sc.used, m.Pattern)
				}
				kwAt[m.Pattern] = append(kwAt[m.Pattern], m.Start)
			}
			return true
		})
	}
	var windows [][2]int
	for ri, on := range enabled {
		if !on {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := e.rules[ri]
		keep := func(loc []int) error {
			if lo+loc[0] >= own && hi < len(text) {
				return nil // the next segment owns it
			}
			h, ok, err := e.check(r, ri, seg, loc)
			if ok {
				h.start += lo
				h.end += lo
				h.mstart += lo
				h.mend += lo
				hits = append(hits, h)
			}
			return err
		}
		if kwAt != nil && r.assign && !e.assignmentNear(ri, kwAt, seg) {
			continue
		}
		get := r.re
		if r.stripped != nil && kwAt != nil {
			get = r.stripped // runs in windows from the keyword group
		}
		re, err := get()
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.id, err)
		}
		if kwAt == nil || r.window == 0 && !r.assign {
			for _, loc := range re.FindAllStringSubmatchIndex(seg, -1) {
				if err := keep(loc); err != nil {
					return nil, err
				}
			}
			continue
		}
		// Every match contains a keyword and is at most r.window bytes
		// long (or, for an assignment-template rule, starts at most
		// assignStartMax bytes before its keyword and ends in the first
		// white space assignTail bytes after it): run the expression only
		// around the keyword occurrences.
		windows = windows[:0]
		for _, ki := range e.ruleKws[ri] {
			for _, ks := range kwAt[ki] {
				ke := ks + e.kwLen[ki]
				if r.stripped == nil {
					windows = append(windows, [2]int{max(0, ke-r.window-windowMargin), min(len(seg), ks+r.window+windowMargin)})
					continue
				}
				if !assignmentAfter(seg, ke) {
					continue
				}
				// The stripped expression starts at the keyword group, at
				// most assignGroupMax bytes before the keyword.
				end := assignWindowEnd(seg, ke)
				if r.window > 0 {
					end = min(len(seg), ks+r.window+windowMargin)
				}
				windows = append(windows, [2]int{max(0, ks-assignGroupMax-windowMargin), end})
			}
		}
		slices.SortFunc(windows, func(a, b [2]int) int { return a[0] - b[0] })
		for i := 0; i < len(windows); {
			a, b := windows[i][0], windows[i][1]
			j := i + 1
			for ; j < len(windows) && windows[j][0] <= b; j++ {
				b = max(b, windows[j][1])
			}
			i = j
			for _, loc := range re.FindAllStringSubmatchIndex(seg[a:b], -1) {
				for k := range loc {
					if loc[k] >= 0 {
						loc[k] += a
					}
				}
				if !e.containsKeyword(ri, kwAt, loc[0], loc[1]) {
					continue
				}
				if r.stripped != nil {
					// Give the match the identifier prefix the full
					// expression matches (allowlists on the match see it).
					loc[0] = extendIdent(seg, loc[0])
				}
				if err := keep(loc); err != nil {
					return nil, err
				}
			}
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].start != hits[j].start {
			return hits[i].start < hits[j].start
		}
		if hits[i].end != hits[j].end {
			return hits[i].end > hits[j].end
		}
		return hits[i].rule < hits[j].rule
	})
	return hits, nil
}

// containsKeyword reports whether seg[a:b] contains an occurrence of one of
// rule ri's keywords. A match in a window that contains none is an artefact
// of the window's edges (the rule cannot match without one).
func (e *engine) containsKeyword(ri int, kwAt [][]int, a, b int) bool {
	for _, ki := range e.ruleKws[ri] {
		for _, ks := range kwAt[ki] {
			if ks >= a && ks+e.kwLen[ki] <= b {
				return true
			}
		}
	}
	return false
}

// assignmentNear reports whether an occurrence of one of rule ri's
// keywords is followed by an assignment (see assignmentAfter).
func (e *engine) assignmentNear(ri int, kwAt [][]int, seg string) bool {
	for _, ki := range e.ruleKws[ri] {
		for _, ks := range kwAt[ki] {
			if assignmentAfter(seg, ks+e.kwLen[ki]) {
				return true
			}
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerASCII lower-cases ASCII letters only, keeping every byte offset.
// appendLowerASCII appends s with ASCII letters lower-cased to b.
func appendLowerASCII(b []byte, s string) []byte {
	n := len(b)
	b = append(b, s...)
	for i, c := range b[n:] {
		if 'A' <= c && c <= 'Z' {
			b[n+i] = c + 'a' - 'A'
		}
	}
	return b
}

// check turns one regex match into a hit, applying the secret group, the
// entropy floor and the allowlists. It fails only when an allowlist's
// deferred regular expression does not compile.
func (e *engine) check(r *compiledRule, ri int, text string, loc []int) (hit, bool, error) {
	ms, me := loc[0], loc[1]
	// Like gitleaks, a match does not own the line breaks that end it.
	for me > ms && text[me-1] == '\n' {
		me--
	}
	for ms < me && text[ms] == '\n' {
		ms++
	}
	ss, se := ms, me
	if g := r.secretGroup; g > 0 {
		ss, se = loc[2*g], loc[2*g+1]
	} else {
		for g := 1; 2*g+1 < len(loc); g++ {
			if loc[2*g] >= 0 && loc[2*g+1] > loc[2*g] {
				ss, se = loc[2*g], loc[2*g+1]
				break
			}
		}
	}
	if ss < 0 || se <= ss {
		return hit{}, false, nil
	}
	// Keep the secret inside the trimmed match.
	ss, se = max(ss, ms), min(se, me)
	if se <= ss {
		return hit{}, false, nil
	}
	secret := text[ss:se]
	h := hit{rule: ri, start: ss, end: se, mstart: ms, mend: me, entropy: shannonEntropy(secret)}
	if r.entropy != 0 && h.entropy <= r.entropy {
		return hit{}, false, nil
	}
	match := text[ms:me]
	line := lineAround(text, ms, me)
	for i := range e.allowlists {
		if ok, err := e.allowlists[i].allowed(secret, match, line); ok || err != nil {
			if err != nil {
				err = fmt.Errorf("global allowlists[%d]: %w", i, err)
			}
			return hit{}, false, err
		}
	}
	for i := range r.allowlists {
		if ok, err := r.allowlists[i].allowed(secret, match, line); ok || err != nil {
			if err != nil {
				err = fmt.Errorf("rule %s: allowlists[%d]: %w", r.id, i, err)
			}
			return hit{}, false, err
		}
	}
	return h, true, nil
}

// lineAround returns the lines that text[a:b] touches.
func lineAround(text string, a, b int) string {
	ls := strings.LastIndexByte(text[:a], '\n') + 1
	le := strings.IndexByte(text[b:], '\n')
	if le < 0 {
		le = len(text)
	} else {
		le += b
	}
	return text[ls:le]
}
