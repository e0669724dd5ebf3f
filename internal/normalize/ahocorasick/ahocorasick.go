// Package ahocorasick is a small byte-level Aho-Corasick automaton used as a
// keyword prefilter by llmshield's rule-based scanners.
//
// It is written here rather than taken from a library because the scanners
// need every match, including overlapping ones ("system prompt" inside
// "your system prompt"), together with its byte position, and they match on
// text that has already been normalised (lower-cased), so a compact DFA over
// the bytes that actually occur in the patterns is enough.
// github.com/cloudflare/ahocorasick reports which patterns matched but not
// where; leftmost-match automata report non-overlapping matches only.
//
// AppendMatches walks long texts as four interleaved pieces: the walk is a
// chain of dependent table loads, and four independent chains run about
// three times as many bytes per second (see AppendMatches). States are numbered breadth-first so that
// the shallow states ordinary text stays in share cache lines.
//
// Backward walks a text from its end, for the last occurrence of its
// patterns: the prompt-injection rules need the last required literal of
// a window, and the forward walk that found it read the whole window (26 %
// of the CPU on attack-dense prompts) where the backward one stops there.
//
// A Matcher is immutable after New and safe for concurrent use.
package ahocorasick

// In the small table, a transition's high bit says that its target state
// has output; the other bits are the state.
const (
	accBit    = 1 << 15
	stateMask = accBit - 1
)

// Match is one occurrence of a pattern: Text[Start:End] == patterns[Pattern].
type Match struct {
	Pattern int
	Start   int
	End     int
}

// Matcher finds all occurrences of a fixed set of byte patterns.
type Matcher struct {
	class  [256]uint8 // byte -> equivalence class; 0 = byte in no pattern
	nclass int
	delta  []int32   // state*nclass + class -> next state (full DFA)
	out    [][]int32 // state -> patterns ending here (incl. via suffix links)
	// fast is delta with states pre-multiplied by nclass, and acc marks
	// (by pre-multiplied state) the states with output: the scan loop does
	// one table load per byte and one flag test. When the automaton has
	// fewer than 32768 states, small holds the plain state numbers in half
	// the memory (keeping more of the table in cache), with accBit set on
	// the transitions into states with output, so that the flag comes with
	// the load; fast and acc are then nil.
	fast  []int32
	acc   []bool
	small []uint16
	// tiny is small with the states pre-multiplied by nclass, for
	// automata small enough (a rule's lead or required literals) that
	// the products fit: a walk is a chain of dependent loads, and the
	// multiplication was three of the nine or so cycles each byte waits
	// for. Backward.Last and starts (AppendStarts, LastStart) use it: on
	// attack-dense text they walk every keyword window of a rule.
	tiny    []uint16
	lens    []int
	npatter int
	maxLen  int // longest pattern
}

// New builds a matcher for patterns. Empty patterns are ignored (they never
// match). Matching is exact and byte-wise; callers fold case beforehand.
func New(patterns []string) *Matcher {
	m := &Matcher{lens: make([]int, len(patterns)), npatter: len(patterns)}
	// Byte classes: every byte used by some pattern gets its own class.
	n := 1
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if m.class[p[i]] == 0 {
				m.class[p[i]] = uint8(n)
				n++
				if n == 256 {
					// Only possible with patterns covering 255 distinct bytes;
					// fall back to identity classes.
					for b := range m.class {
						m.class[b] = uint8(b)
					}
					n = 256
					break
				}
			}
		}
		if n == 256 {
			break
		}
	}
	m.nclass = n
	// Trie with goto function stored densely; a pattern adds at most one
	// state per byte, so the table is allocated once.
	total := 1
	for _, p := range patterns {
		total += len(p)
	}
	m.delta = make([]int32, n, total*n) // state 0 row
	m.out = make([][]int32, 1, total)
	for i := range m.delta {
		m.delta[i] = -1
	}
	for pi, p := range patterns {
		m.lens[pi] = len(p)
		m.maxLen = max(m.maxLen, len(p))
		if p == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := int(m.class[p[i]])
			nx := m.delta[int(s)*n+c]
			if nx < 0 {
				nx = int32(len(m.out))
				m.out = append(m.out, nil)
				base := len(m.delta)
				m.delta = m.delta[:base+n]
				for j := base; j < base+n; j++ {
					m.delta[j] = -1
				}
				m.delta[int(s)*n+c] = nx
			}
			s = nx
		}
		m.out[s] = append(m.out[s], int32(pi))
	}
	// BFS to compute failure links and complete the DFA.
	fail := make([]int32, len(m.out))
	queue := make([]int32, 0, len(m.out))
	for c := 0; c < n; c++ {
		nx := m.delta[c]
		if nx < 0 {
			m.delta[c] = 0
			continue
		}
		fail[nx] = 0
		queue = append(queue, nx)
	}
	for head := 0; head < len(queue); head++ {
		s := queue[head]
		if f := fail[s]; len(m.out[f]) > 0 {
			m.out[s] = append(m.out[s], m.out[f]...)
		}
		for c := 0; c < n; c++ {
			nx := m.delta[int(s)*n+c]
			if nx < 0 {
				m.delta[int(s)*n+c] = m.delta[int(fail[s])*n+c]
				continue
			}
			fail[nx] = m.delta[int(fail[s])*n+c]
			queue = append(queue, nx)
		}
	}
	// Renumber the states in breadth-first order. Text that matches no
	// pattern keeps the automaton in shallow states; numbered first, their
	// rows sit together at the start of the table, so the rows a scan of
	// ordinary prose touches stay in the fastest cache instead of being
	// spread over the whole table (a table for ~700 keywords is ~440 KB).
	m.renumber(append([]int32{0}, queue...))
	m.fast = make([]int32, len(m.delta))
	for i, nx := range m.delta {
		m.fast[i] = nx * int32(n)
	}
	m.acc = make([]bool, len(m.delta))
	for st, o := range m.out {
		m.acc[st*n] = len(o) > 0
	}
	if len(m.out) <= stateMask {
		m.small = make([]uint16, len(m.delta))
		for i, nx := range m.delta {
			m.small[i] = uint16(nx)
			if len(m.out[nx]) > 0 {
				m.small[i] |= accBit
			}
		}
		m.fast, m.acc = nil, nil
		if len(m.delta) <= stateMask {
			m.tiny = make([]uint16, len(m.delta))
			for i, v := range m.small {
				m.tiny[i] = uint16(v&stateMask)*uint16(n) | v&accBit
			}
		}
	}
	m.delta = nil
	return m
}

// renumber gives state order[i] the number i (order lists every state,
// the start state first).
func (m *Matcher) renumber(order []int32) {
	n := m.nclass
	perm := make([]int32, len(order))
	for i, old := range order {
		perm[old] = int32(i)
	}
	delta := make([]int32, len(m.delta))
	out := make([][]int32, len(m.out))
	for i, old := range order {
		out[i] = m.out[old]
		for c := 0; c < n; c++ {
			delta[i*n+c] = perm[m.delta[int(old)*n+c]]
		}
	}
	m.delta, m.out = delta, out
}

// MaxLen returns the length of the longest pattern.
func (m *Matcher) MaxLen() int { return m.maxLen }

// Len returns the number of patterns the matcher was built with.
func (m *Matcher) Len() int { return m.npatter }

// Each calls fn for every match in text, in order of end position, and
// stops early when fn returns false.
func (m *Matcher) Each(text string, fn func(Match) bool) {
	if m == nil || len(m.out) <= 1 {
		return
	}
	if m.small != nil {
		m.eachSmall(text, fn)
		return
	}
	n := int32(m.nclass)
	s := int32(0)
	fast, acc, class, out := m.fast, m.acc, &m.class, m.out
	for i := 0; i < len(text); i++ {
		s = fast[s+int32(class[text[i]])]
		if acc[s] {
			for _, p := range out[s/n] {
				if !fn(Match{Pattern: int(p), Start: i + 1 - m.lens[p], End: i + 1}) {
					return
				}
			}
		}
	}
}

func (m *Matcher) eachSmall(text string, fn func(Match) bool) {
	n := uint32(m.nclass)
	s := uint32(0)
	small, class, out := m.small, &m.class, m.out
	for i := 0; i < len(text); i++ {
		v := small[s*n+uint32(class[text[i]])]
		s = uint32(v & stateMask)
		if v&accBit != 0 {
			for _, p := range out[s] {
				if !fn(Match{Pattern: int(p), Start: i + 1 - m.lens[p], End: i + 1}) {
					return
				}
			}
		}
	}
}

// AppendMatches appends every match in text to dst, in the order Each
// reports them (by end position), and returns it.
//
// Texts longer than the longest pattern (plus 48 bytes) are cut into four
// pieces that are walked in one loop, one automaton state per piece: a
// walk is a chain of dependent table loads, so a single walk waits on
// memory at every byte while four independent ones overlap their loads
// (BenchmarkKeywordWalk in scanner/promptinjection, the prompt-injection
// keywords over 400 KB of benign prompts: 0.92-0.95 GB per CPU-second
// against 0.29-0.30 for one walk). Each piece after the first starts
// maxLen-1 bytes early, from the start state, and reports only the matches
// that end inside it: after that many bytes the state equals the one a
// single walk would be in, since a state stands for at most the last
// maxLen bytes.
func (m *Matcher) AppendMatches(dst []Match, text string) []Match {
	if m == nil || len(m.out) <= 1 {
		return dst
	}
	w := m.maxLen - 1
	if m.small == nil || len(text) < w+48 {
		m.Each(text, func(x Match) bool { dst = append(dst, x); return true })
		return dst
	}
	// Piece k (k = 0..3) reports the matches ending in (b[k], b[k+1]] and
	// walks text[b[k]-w : b[k+1]] (piece 0 from 0). Every piece walks l
	// bytes: l = b1 = b2-b1+w = ...; the last piece walks the rest alone.
	l := (len(text) + 3*w) / 4
	b1, b2, b3 := l, 2*l-w, 3*l-2*w
	base := len(dst)
	// Raw hits first (Pattern: state, Start: piece, End: end offset),
	// expanded in piece order below.
	n := uint32(m.nclass)
	small, class := m.small, &m.class
	t0, t1, t2, t3 := text[:l], text[b1-w:b1-w+l], text[b2-w:b2-w+l], text[b3-w:b3-w+l]
	var s0, s1, s2, s3 uint32
	for i := 0; i < l; i++ {
		v0 := small[s0*n+uint32(class[t0[i]])]
		v1 := small[s1*n+uint32(class[t1[i]])]
		v2 := small[s2*n+uint32(class[t2[i]])]
		v3 := small[s3*n+uint32(class[t3[i]])]
		s0, s1, s2, s3 = uint32(v0&stateMask), uint32(v1&stateMask), uint32(v2&stateMask), uint32(v3&stateMask)
		if (v0|v1|v2|v3)&accBit != 0 {
			if v0&accBit != 0 {
				dst = append(dst, Match{Pattern: int(s0), Start: 0, End: i + 1})
			}
			if v1&accBit != 0 && i >= w {
				dst = append(dst, Match{Pattern: int(s1), Start: 1, End: b1 - w + i + 1})
			}
			if v2&accBit != 0 && i >= w {
				dst = append(dst, Match{Pattern: int(s2), Start: 2, End: b2 - w + i + 1})
			}
			if v3&accBit != 0 && i >= w {
				dst = append(dst, Match{Pattern: int(s3), Start: 3, End: b3 - w + i + 1})
			}
		}
	}
	for i := b3 - w + l; i < len(text); i++ {
		v := small[s3*n+uint32(class[text[i]])]
		s3 = uint32(v & stateMask)
		if v&accBit != 0 {
			dst = append(dst, Match{Pattern: int(s3), Start: 3, End: i + 1})
		}
	}
	raw := len(dst)
	for piece := range 4 {
		for _, h := range dst[base:raw] {
			if h.Start != piece {
				continue
			}
			for _, p := range m.out[h.Pattern] {
				dst = append(dst, Match{Pattern: int(p), Start: h.End - m.lens[p], End: h.End})
			}
		}
	}
	return append(dst[:base], dst[raw:]...)
}

// AppendStarts appends the start offset of every match in text to dst, in
// order of end position (so not necessarily sorted), and returns it. It
// calls no function per match, which keeps hot loops free of closures.
func (m *Matcher) AppendStarts(dst []int, text string) []int {
	dst, _ = m.starts(dst, text, false)
	return dst
}

// AppendStartsAndLast returns m.AppendStarts(dst, text) and
// other.LastStart(text) from one loop over text: the two walks are chains
// of dependent table loads, and run side by side their loads overlap.
func (m *Matcher) AppendStartsAndLast(dst []int, other *Matcher, text string) ([]int, int) {
	if m == nil || other == nil || m.small == nil || other.small == nil || len(m.out) <= 1 || len(other.out) <= 1 {
		return m.AppendStarts(dst, text), other.LastStart(text)
	}
	last := -1
	na, nb := uint32(m.nclass), uint32(other.nclass)
	ta, tb := m.small, other.small
	ca, cb := &m.class, &other.class
	var sa, sb uint32
	for i := 0; i < len(text); i++ {
		c := text[i]
		va := ta[sa*na+uint32(ca[c])]
		vb := tb[sb*nb+uint32(cb[c])]
		sa, sb = uint32(va&stateMask), uint32(vb&stateMask)
		if (va|vb)&accBit == 0 {
			continue
		}
		if va&accBit != 0 {
			for _, p := range m.out[sa] {
				dst = append(dst, i+1-m.lens[p])
			}
		}
		if vb&accBit != 0 {
			for _, p := range other.out[sb] {
				last = max(last, i+1-other.lens[p])
			}
		}
	}
	return dst, last
}

// LastStart returns the largest start offset of any match in text, or -1.
func (m *Matcher) LastStart(text string) int {
	_, last := m.starts(nil, text, true)
	return last
}

// starts walks text once for AppendStarts (appending every start to dst)
// or, when lastOnly, LastStart (keeping the largest start, appending none).
func (m *Matcher) starts(dst []int, text string, lastOnly bool) ([]int, int) {
	last := -1
	if m == nil || len(m.out) <= 1 {
		return dst, last
	}
	if m.small == nil {
		m.Each(text, func(x Match) bool {
			if lastOnly {
				last = max(last, x.Start)
			} else {
				dst = append(dst, x.Start)
			}
			return true
		})
		return dst, last
	}
	if m.tiny != nil {
		return m.startsTiny(dst, text, lastOnly)
	}
	n := uint32(m.nclass)
	s := uint32(0)
	small, class, out, lens := m.small, &m.class, m.out, m.lens
	for i := 0; i < len(text); i++ {
		v := small[s*n+uint32(class[text[i]])]
		s = uint32(v & stateMask)
		if v&accBit != 0 {
			for _, p := range out[s] {
				if lastOnly {
					last = max(last, i+1-lens[p])
				} else {
					dst = append(dst, i+1-lens[p])
				}
			}
		}
	}
	return dst, last
}

// startsTiny is starts on the pre-multiplied table.
func (m *Matcher) startsTiny(dst []int, text string, lastOnly bool) ([]int, int) {
	last := -1
	n := uint32(m.nclass)
	s := uint32(0)
	tiny, class, out, lens := m.tiny, &m.class, m.out, m.lens
	for i := 0; i < len(text); i++ {
		v := tiny[s+uint32(class[text[i]])]
		s = uint32(v & stateMask)
		if v&accBit != 0 {
			for _, p := range out[s/n] {
				if lastOnly {
					last = max(last, i+1-lens[p])
				} else {
					dst = append(dst, i+1-lens[p])
				}
			}
		}
	}
	return dst, last
}

// Contains reports whether any pattern occurs in text.
func (m *Matcher) Contains(text string) bool {
	if m == nil || len(m.out) <= 1 {
		return false
	}
	if m.small == nil {
		found := false
		m.Each(text, func(Match) bool { found = true; return false })
		return found
	}
	n := uint32(m.nclass)
	s := uint32(0)
	small, class := m.small, &m.class
	for i := 0; i < len(text); i++ {
		v := small[s*n+uint32(class[text[i]])]
		s = uint32(v & stateMask)
		if v&accBit != 0 {
			return true
		}
	}
	return false
}

// FindAll returns every match, overlapping ones included, ordered by end
// position. limit <= 0 means no limit.
func (m *Matcher) FindAll(text string, limit int) []Match {
	var ms []Match
	m.Each(text, func(x Match) bool {
		ms = append(ms, x)
		return limit <= 0 || len(ms) < limit
	})
	return ms
}

// Stats reports the automaton's size: states, byte classes and the bytes
// used by its transition table.
func (m *Matcher) Stats() (states, classes, tableBytes int) {
	if m.small != nil {
		return len(m.out), m.nclass, len(m.small) * 2
	}
	return len(m.out), m.nclass, len(m.fast) * 4
}

// Backward finds the last occurrence of any of a set of patterns by walking
// a text from its end: an automaton over the reversed patterns reports the
// occurrence with the largest start first, so the walk stops there instead
// of reading the whole text as LastStart must.
type Backward struct{ m *Matcher }

// NewBackward builds a Backward for patterns (empty ones never match).
func NewBackward(patterns []string) *Backward {
	rev := make([]string, len(patterns))
	for i, p := range patterns {
		b := []byte(p)
		for l, r := 0, len(b)-1; l < r; l, r = l+1, r-1 {
			b[l], b[r] = b[r], b[l]
		}
		rev[i] = string(b)
	}
	return &Backward{New(rev)}
}

// LastStart returns the largest start offset of any pattern in text, or -1:
// the same as (*Matcher).LastStart for the patterns, without walking the
// text before that occurrence.
func (b *Backward) LastStart(text string) int {
	start, _ := b.Last(text)
	return start
}

// Last returns the occurrence with the largest start (the shortest of the
// patterns that start there), or -1, -1.
func (b *Backward) Last(text string) (start, end int) {
	m := b.m
	if m == nil || len(m.out) <= 1 {
		return -1, -1
	}
	// Reading text[i] backwards completes a reversed pattern exactly when
	// the pattern occurs at text[i:]; the first such i is the largest start.
	var out []int32
	if m.small == nil {
		s := int32(0)
		for i := len(text) - 1; i >= 0 && out == nil; i-- {
			s = m.fast[s+int32(m.class[text[i]])]
			if m.acc[s] {
				start, out = i, m.out[s/int32(m.nclass)]
			}
		}
	} else if m.tiny != nil {
		n, s := uint32(m.nclass), uint32(0)
		for i := len(text) - 1; i >= 0; i-- {
			v := m.tiny[s+uint32(m.class[text[i]])]
			s = uint32(v & stateMask)
			if v&accBit != 0 {
				start, out = i, m.out[s/n]
				break
			}
		}
	} else {
		n, s := uint32(m.nclass), uint32(0)
		for i := len(text) - 1; i >= 0 && out == nil; i-- {
			v := m.small[s*n+uint32(m.class[text[i]])]
			s = uint32(v & stateMask)
			if v&accBit != 0 {
				start, out = i, m.out[s]
			}
		}
	}
	if out == nil {
		return -1, -1
	}
	end = len(text)
	for _, p := range out {
		end = min(end, start+m.lens[p])
	}
	return start, end
}

// MaxLen returns the length of the longest pattern.
func (b *Backward) MaxLen() int { return b.m.maxLen }
