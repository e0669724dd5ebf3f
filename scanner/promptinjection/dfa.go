package promptinjection

import (
	"regexp/syntax"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// anchoredDFA finds the match of a regular expression anchored at the start
// of its input (a pattern that begins with ^) with exactly the result of
// Go's regexp FindStringIndex: the leftmost-first (Perl) match, with the
// same end. It runs the program Go's regexp compiles from the same pattern
// as a lazily built DFA whose states are the ordered thread lists of Go's
// NFA (the pike VM of regexp/exec.go): a thread that reaches Match records
// the position and cuts the threads of lower priority, and the run ends
// when no thread is left. Zero-width assertions are resolved when the next
// rune is known, so a state also carries the kind of rune before it.
//
// Why it exists: the rules try their anchored patterns at every keyword
// hit and at every lead literal of a window. Go's backtracker clears a
// bitmap of (instructions × input bytes) bits per attempt and then walks
// the program instruction by instruction; on attack-dense text (the
// jailbreak corpus one prompt at a time) those attempts were 37 % of the
// CPU (regexp.doExecute, profile of BenchmarkCmpJailbreakRows), most of
// them failing within a few bytes. A cached DFA step is one table load
// per byte. No regexp library for Go offers anchored leftmost-first
// matching without that per-call setup.
//
// Transitions for ASCII runes and the end of the text are cached; other
// runes (rare in normalised text) compute their transition each time.
// When a pattern's DFA reaches maxDFAStates states, match reports !ok and
// the caller uses Go's regexp. TestAnchoredDFAMatchesRegexp and
// FuzzAnchoredDFA compare it with Go's regexp.
//
// An anchoredDFA is safe for concurrent use: states are published with
// atomic stores, and new states are built under a mutex.
type anchoredDFA struct {
	prog *syntax.Prog
	mu   sync.Mutex // guards index and states, and the growth of table
	// index maps a state's key (see intern) to its number; states holds
	// them. State 0 has no threads (the run stops there), state 1 is the
	// start.
	index  map[string]int32
	states []*dfaState
	// class maps an ASCII byte to its column (bytes that every rune
	// instruction and every zero-width assertion treat alike share one);
	// column nsym-1 is the end of the text. Fewer columns keep more of the
	// table in cache: with a column per byte, the rules' tables took 5 MB.
	class [utf8.RuneSelf]uint8
	nsym  int
	// table[state*nsym+column] is 0 when the transition is not computed
	// yet, else 1 + (next state*nsym << 1 | 1 if a match ends before the
	// symbol): premultiplied, so that a step is one load and a shift. It
	// is replaced by a larger copy when states are added; a transition
	// stored into an old copy is only lost, and computed again.
	table atomic.Pointer[[]atomic.Int32]
	// wide caches transitions on non-ASCII runes (by wideKey; the value
	// is encoded as in table, less one), up to maxWide of them: without
	// it, text in other scripts computed a transition at every rune.
	wide  sync.Map
	nwide atomic.Int32
}

// maxWide bounds the non-ASCII transitions each DFA caches.
const maxWide = 1 << 14

// wideKey is the wide cache's key for premultiplied state st and rune c.
func wideKey(st int32, c rune) uint64 { return uint64(st)<<32 | uint64(c) }

// maxDFAStates bounds each pattern's DFA.
const maxDFAStates = 1024

// dfaState is a list of threads (program counters, highest priority
// first) waiting to be followed through empty instructions, and the rune
// before them as a representative (-1: start of text, '\n', 'a' for a word
// character, ' ' for any other), which is all syntax.EmptyOpContext reads
// of it.
type dfaState struct {
	pcs  []uint32
	prev rune
}

// newAnchoredDFA compiles pattern as regexp.Compile does. The pattern must
// begin with ^ (every match starts at the start of the input).
func newAnchoredDFA(pattern string) (*anchoredDFA, error) {
	_, prog, err := compileProg(pattern)
	if err != nil {
		return nil, err
	}
	d := &anchoredDFA{prog: prog, index: map[string]int32{}}
	d.nsym = byteClasses(prog, &d.class) + 1
	tab := make([]atomic.Int32, 16*d.nsym)
	d.table.Store(&tab)
	d.mu.Lock()
	d.states = append(d.states, &dfaState{})   // 0: no threads
	d.intern([]uint32{uint32(prog.Start)}, -1) // 1: the start
	d.mu.Unlock()
	return d, nil
}

// compileProg parses src and compiles it to the program regexp.Compile
// would run.
func compileProg(src string) (*syntax.Regexp, *syntax.Prog, error) {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	return re, prog, err
}

// intern returns the number of the state (pcs, prev), creating it if
// needed, or -1 when the DFA is full. d.mu must be held.
func (d *anchoredDFA) intern(pcs []uint32, prev rune) int32 {
	if len(pcs) == 0 {
		return 0
	}
	key := make([]byte, 0, 4*len(pcs)+4)
	key = utf8.AppendRune(key, prev+1)
	for _, pc := range pcs {
		key = append(key, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
	}
	if id, ok := d.index[string(key)]; ok {
		return id
	}
	id := int32(len(d.states))
	if id == maxDFAStates {
		return -1
	}
	if tab := *d.table.Load(); len(tab) < (int(id)+1)*d.nsym {
		grown := make([]atomic.Int32, 2*len(tab))
		for i := range tab {
			grown[i].Store(tab[i].Load())
		}
		d.table.Store(&grown)
	}
	d.states = append(d.states, &dfaState{pcs: pcs, prev: prev})
	d.index[string(key)] = id
	return id
}

// match returns the end of the leftmost-first match of the pattern at the
// start of s (matched false: none), or ok false when the DFA is full and
// the caller must use Go's regexp.
func (d *anchoredDFA) match(s string) (end int, matched, ok bool) {
	tab := *d.table.Load()
	st := int32(1 * d.nsym) // the start (state numbers in the table are premultiplied)
	pos := 0
	for {
		// The common steps: cached transitions on ASCII bytes, one
		// dependent table load each.
		for pos < len(s) {
			b := s[pos]
			if b >= utf8.RuneSelf {
				break
			}
			i := int(st) + int(d.class[b])
			if i >= len(tab) {
				break
			}
			v := tab[i].Load() - 1
			if v < 0 {
				break
			}
			if v&1 != 0 {
				end, matched = pos, true
			}
			if st = v >> 1; st == 0 {
				return end, matched, true // no thread left
			}
			pos++
		}
		// The end of the text, a non-ASCII rune or a transition not
		// computed yet.
		c, w, sym := rune(-1), 0, d.nsym-1 // the end of the text
		if pos < len(s) {
			if b := s[pos]; b < utf8.RuneSelf {
				c, w, sym = rune(b), 1, int(d.class[b])
			} else {
				c, w = utf8.DecodeRuneInString(s[pos:])
				sym = -1 // not cached
			}
		}
		v := int32(-1)
		if i := int(st) + sym; sym >= 0 && i < len(tab) {
			v = tab[i].Load() - 1
		} else if sym < 0 {
			if x, ok := d.wide.Load(wideKey(st, c)); ok {
				v = x.(int32)
			}
		}
		if v < 0 {
			if v = d.transition(st/int32(d.nsym), c, sym); v < 0 {
				return 0, false, false
			}
			tab = *d.table.Load()
		}
		if v&1 != 0 {
			end, matched = pos, true
		}
		if st = v >> 1; c < 0 || st == 0 {
			return end, matched, true // the end of the text, or no thread left
		}
		pos += w
	}
}

// transition computes (and, for ASCII and the end of the text, caches) the
// step of st on rune c (-1: end of text), as Go's pike VM takes it: follow
// the threads through empty instructions at this position (assertions see
// the rune before and c), in priority order, skipping program counters
// already reached; a Match records a match here and cuts the threads after
// it; a rune instruction that matches c adds its successor to the next
// list. It returns the encoded transition (see dfaState.next, less one) or
// -1 when the DFA is full.
func (d *anchoredDFA) transition(from int32, c rune, sym int) int32 {
	d.mu.Lock()
	st := d.states[from]
	d.mu.Unlock()
	flag := syntax.EmptyOpContext(st.prev, c)
	seen := make([]bool, len(d.prog.Inst))
	var next []uint32
	matched := false
	var follow func(pc uint32) bool // false: a Match cut the rest
	follow = func(pc uint32) bool {
		for {
			if pc == 0 || seen[pc] { // pc 0 is always InstFail
				return true
			}
			seen[pc] = true
			in := &d.prog.Inst[pc]
			switch in.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				if !follow(in.Out) {
					return false
				}
				pc = in.Arg
			case syntax.InstEmptyWidth:
				if syntax.EmptyOp(in.Arg)&^flag != 0 {
					return true
				}
				pc = in.Out
			case syntax.InstNop, syntax.InstCapture:
				pc = in.Out
			case syntax.InstMatch:
				matched = true
				return false
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				if c >= 0 && runeMatches(in, c) {
					next = append(next, in.Out)
				}
				return true
			default: // InstFail
				return true
			}
		}
	}
	for _, pc := range st.pcs {
		if !follow(pc) {
			break
		}
	}
	var v int32
	if matched {
		v = 1
	}
	if c >= 0 { // at the end of the text the run stops: no next state
		// Duplicates in next are harmless (the next step skips reached
		// program counters) but would split equal states.
		next = dedupe(next)
		d.mu.Lock()
		id := d.intern(next, prevRep(c))
		d.mu.Unlock()
		if id < 0 {
			return -1
		}
		v |= id * int32(d.nsym) << 1
	}
	if sym >= 0 {
		(*d.table.Load())[int(from)*d.nsym+sym].Store(v + 1)
	} else if c >= 0 && d.nwide.Add(1) <= maxWide {
		d.wide.Store(wideKey(from*int32(d.nsym), c), v)
	}
	return v
}

// runeMatches is the pike VM's test for a rune instruction.
func runeMatches(in *syntax.Inst, c rune) bool {
	switch in.Op {
	case syntax.InstRune1:
		return c == in.Rune[0]
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return c != '\n'
	}
	return in.MatchRune(c)
}

// prevRep is the representative of rune c as the rune before a position
// (see dfaState.prev).
func prevRep(c rune) rune {
	switch {
	case c == '\n':
		return '\n'
	case syntax.IsWordChar(c):
		return 'a'
	}
	return ' '
}

// dedupe removes repeated program counters, keeping the first of each.
func dedupe(pcs []uint32) []uint32 {
	out := pcs[:0]
	for _, pc := range pcs {
		if !slices.Contains(out, pc) {
			out = append(out, pc)
		}
	}
	return out
}

// byteClasses fills class with a column number per ASCII byte: bytes get
// the same column when every rune instruction of prog matches both or
// neither, and they have the same kind for zero-width assertions (line
// break, word character, other). It returns the number of columns.
func byteClasses(prog *syntax.Prog, class *[utf8.RuneSelf]uint8) int {
	// The distinct rune tests of the program (many instructions share one).
	var tests []*syntax.Inst
	seen := map[string]bool{}
	var key []byte
	for i := range prog.Inst {
		in := &prog.Inst[i]
		switch in.Op {
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			key = append(key[:0], byte(in.Op), byte(in.Arg))
			for _, r := range in.Rune {
				key = utf8.AppendRune(key, r)
			}
			if !seen[string(key)] {
				seen[string(key)] = true
				tests = append(tests, in)
			}
		}
	}
	cols := map[string]uint8{}
	sig := make([]byte, 0, len(tests)+1)
	for b := range rune(utf8.RuneSelf) {
		sig = append(sig[:0], byte(prevRep(b)))
		for _, in := range tests {
			if runeMatches(in, b) {
				sig = append(sig, 1)
			} else {
				sig = append(sig, 0)
			}
		}
		col, ok := cols[string(sig)]
		if !ok {
			col = uint8(len(cols))
			cols[string(sig)] = col
		}
		class[b] = col
	}
	return len(cols)
}
