package secrets

import (
	"context"
	"sort"
	"strings"

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
	allowlists []compiledAllowlist
}

func newEngine(rules []*compiledRule, global []compiledAllowlist) *engine {
	e := &engine{rules: rules, allowlists: global}
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
	enabled := make([]bool, len(e.rules))
	for _, ri := range e.always {
		enabled[ri] = true
	}
	if e.ac.Len() > 0 {
		e.ac.Each(strings.ToLower(seg), func(m ahocorasick.Match) bool {
			for _, ri := range e.kwRules[m.Pattern] {
				enabled[ri] = true
			}
			return true
		})
	}
	for ri, on := range enabled {
		if !on {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := e.rules[ri]
		for _, loc := range r.re.FindAllStringSubmatchIndex(seg, -1) {
			if lo+loc[0] >= own && hi < len(text) {
				continue // the next segment owns it
			}
			if h, ok := e.check(r, ri, seg, loc); ok {
				h.start += lo
				h.end += lo
				h.mstart += lo
				h.mend += lo
				hits = append(hits, h)
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

// check turns one regex match into a hit, applying the secret group, the
// entropy floor and the allowlists.
func (e *engine) check(r *compiledRule, ri int, text string, loc []int) (hit, bool) {
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
		return hit{}, false
	}
	// Keep the secret inside the trimmed match.
	ss, se = max(ss, ms), min(se, me)
	if se <= ss {
		return hit{}, false
	}
	secret := text[ss:se]
	h := hit{rule: ri, start: ss, end: se, mstart: ms, mend: me, entropy: shannonEntropy(secret)}
	if r.entropy != 0 && h.entropy <= r.entropy {
		return hit{}, false
	}
	match := text[ms:me]
	line := lineAround(text, ms, me)
	for i := range e.allowlists {
		if e.allowlists[i].allowed(secret, match, line) {
			return hit{}, false
		}
	}
	for i := range r.allowlists {
		if r.allowlists[i].allowed(secret, match, line) {
			return hit{}, false
		}
	}
	return h, true
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
