// Package normalize turns text into a canonical form in which rule-based
// scanners can match trigger phrases regardless of common obfuscation, and
// keeps a byte-offset map so that matches can be reported as spans of the
// original text.
//
// Normalisation, in order:
//
//  1. Per rune: invalid UTF-8 bytes become U+FFFD (one per byte, never a
//     panic); invisible characters (Unicode Cf, variation selectors,
//     combining grapheme joiner, Hangul fillers, NUL and other C0 controls)
//     are dropped; Unicode tag characters U+E0020..U+E007E are dropped from
//     the main text and their ASCII equivalents collected as a decoded
//     segment ("ASCII smuggling"); Cyrillic, Greek, IPA and small-capital
//     look-alikes are folded to Latin letters from a curated table; the rest
//     is decomposed with NFKD (fullwidth, mathematical alphanumerics,
//     ligatures, circled letters), combining marks are removed (so "ïgnörë"
//     becomes "ignore" and "früher" becomes "fruher"), and letters are lower
//     cased (ß becomes "ss"). Runs of whitespace collapse to one space, or to
//     one newline when they contain a line break; runs of the same
//     punctuation character collapse to one.
//  2. Per word: in words that mix letters with digits or @ and $, leetspeak
//     digits become letters (0→o 1→i 3→e 4→a 5→s 7→t 8→b @→a $→s), so
//     "1gn0r3" becomes "ignore" but "2024" and "3.14" stay; runs of three or
//     more single letters separated by one separator ("i g n o r e",
//     "i.g.n.o.r.e", "i-g-n-o-r-e") are joined.
//  3. Decoding (bounded): runs that look like base64, hex or URL encoding in
//     the original text are decoded, and when the result is mostly printable
//     text it is normalised (recursively, to depth 2) and returned as an extra
//     Segment whose spans all point at the encoded run. Text that mentions
//     rot13 is also returned rot13-decoded.
//
// The work is linear in the input: one pass per stage plus bounded decoding
// (see Options).
//
// Stage 1 has hand-written fast paths for ASCII, because normalisation was
// most of the prompt-injection heuristic's time on benign text (issue 15):
// runs of letters and digits are classified and lower-cased eight bytes at
// a time (SWAR, asciiWord8), and stretches of plain words separated by
// single spaces (with at most a full stop or comma) are copied in blocks
// (prose). Stage 2 tokenises only the words around the places stage 1
// marked (stage2Marks). Measured on 400 KB of benign GPTeacher prompts
// (BenchmarkStage1, CPU time on a shared 2-core machine, 3 runs), stage 1
// runs at 242-269 MB per CPU-second against 154-168 for the code before;
// scripts/heuristic-speed.sh measures the whole heuristic against older
// commits. The code they replace is kept in stage1ref_test.go: tests compare
// the two on every row of the shared datasets, and a fuzz target on random
// text, so the fast paths change no output.
package normalize

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math/bits"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// Kind says where a Segment's text came from.
type Kind uint8

// Segment kinds.
const (
	Plain  Kind = iota // the input itself
	Base64             // a base64 run in the input, decoded
	Hex                // a hex run, decoded
	URL                // a percent-encoded run, decoded
	Rot13              // the whole input, rot13-decoded
	Tags               // Unicode tag characters mapped back to ASCII
)

var kindNames = [...]string{"plain", "base64", "hex", "url", "rot13", "tags"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Options bound the work done by Normalize.
type Options struct {
	// Decode enables decoding of embedded base64, hex, URL, rot13 and tag
	// payloads.
	Decode bool
	// MaxSegments caps the number of decoded segments (default 16).
	MaxSegments int
	// MaxSegmentBytes caps the size of one encoded run that is decoded
	// (default 64 KiB); longer runs are decoded up to this size.
	MaxSegmentBytes int
	// MaxDecodedBytes caps the total size of decoded text (default 256 KiB).
	MaxDecodedBytes int
	// MaxDepth caps nested decoding (default 2: base64 inside base64).
	MaxDepth int
}

// DefaultOptions returns the options scanners use.
func DefaultOptions() Options {
	return Options{Decode: true, MaxSegments: 16, MaxSegmentBytes: 64 << 10, MaxDecodedBytes: 256 << 10, MaxDepth: 2}
}

func (o *Options) fill() {
	d := DefaultOptions()
	if o.MaxSegments <= 0 {
		o.MaxSegments = d.MaxSegments
	}
	if o.MaxSegmentBytes <= 0 {
		o.MaxSegmentBytes = d.MaxSegmentBytes
	}
	if o.MaxDecodedBytes <= 0 {
		o.MaxDecodedBytes = d.MaxDecodedBytes
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = d.MaxDepth
	}
}

// Segment is normalised text with a map back to the original.
type Segment struct {
	// Text is the normalised text (valid UTF-8, lower case).
	Text string
	// Kind says whether Text is the input itself or a decoded payload.
	Kind Kind
	src  string
	off  []int32 // off[i]: original offset of the rune that produced Text[i]; len(Text)+1 entries
	// for decoded segments every byte maps to src[lo:hi]
	lo, hi int
}

// Span maps the half-open byte range [start,end) of s.Text to a half-open
// byte range of the original text. For decoded segments it is the whole
// encoded run. Out-of-range arguments are clamped.
func (s *Segment) Span(start, end int) (int, int) {
	if s.Kind != Plain {
		return s.lo, s.hi
	}
	n := len(s.Text)
	start = min(max(start, 0), n)
	end = min(max(end, start), n)
	if start == end {
		o := int(s.off[start])
		return o, o
	}
	a := int(s.off[start])
	last := int(s.off[end-1])
	_, size := utf8.DecodeRuneInString(s.src[last:])
	b := last + max(size, 1)
	return a, max(b, a)
}

// Offset returns the original offset of normalised byte i (0 <= i <= len(Text)).
func (s *Segment) Offset(i int) int {
	if s.Kind != Plain {
		if i >= len(s.Text) {
			return s.hi
		}
		return s.lo
	}
	return int(s.off[min(max(i, 0), len(s.Text))])
}

// Stats counts the obfuscation Normalize undid. Heavy obfuscation is itself
// a (weak) signal.
type Stats struct {
	Invisible   int // invisible characters removed
	Confusables int // look-alike letters folded to Latin
	Leet        int // words with leetspeak replaced
	Spaced      int // runs of separated single letters joined
	Decoded     int // decoded segments
}

// Result is the normalised text: Segments[0] is the input itself; further
// segments are decoded payloads.
type Result struct {
	Segments []Segment
	Stats    Stats
	mem      *buffers // the input's buffers; they hold the rest (see buffers)
}

// buffers are the per-segment working arrays; Release returns them to a
// pool so that repeated normalisation does not allocate them again.
type buffers struct {
	out   []byte
	off   []int32
	tags  []byte
	gaps  []int
	cands [][2]int
	marks []int
	// The input's buffers also keep the result's segment list and the
	// buffers of decoded segments, so that with a warm pool normalising a
	// text allocates nothing.
	segs []Segment
	more []*buffers
}

// maxPooled bounds the size of pooled buffers so that one huge input does
// not pin its memory forever (a sync.Pool drops what it holds within two
// garbage collections anyway). At 1 MiB, a 1.8 MB document (the jailbreak
// corpus as one text) reallocated its ~11 MB of buffers on every call,
// about 10 % of its analysis time; 4 MiB keeps documents of that size
// allocation-free.
const maxPooled = 4 << 20

var bufPool = sync.Pool{New: func() any { return new(buffers) }}

func getBuffers(n int) *buffers {
	b := bufPool.Get().(*buffers)
	if cap(b.out) < n+8 {
		b.out = make([]byte, 0, n+8)
	}
	if cap(b.off) < n+9 {
		b.off = make([]int32, 0, n+9)
	}
	b.out, b.off = b.out[:0], b.off[:0]
	b.tags, b.gaps, b.cands, b.marks = b.tags[:0], b.gaps[:0], b.cands[:0], b.marks[:0]
	return b
}

// Release hands the result's memory back for reuse. The Segments (their
// Text included) must not be used afterwards. Calling it is optional.
func (r *Result) Release() {
	m := r.mem
	if m == nil {
		return
	}
	// The input's buffers go back first: a sync.Pool keeps the first
	// object put on a P for the next Get there, and the others in a
	// queue. Put last, behind the smaller buffers of decoded segments,
	// they were handed to a decoded segment next time while the input got
	// small ones and grew them again: the jailbreak corpus as one text
	// (BenchmarkCmpJailbreakDoc) allocated and first touched 8.9 MB of
	// new buffers on the first analysis after a warm-up and after every
	// garbage collection, 60-90 ms against 16-25 ms for the others; at
	// five analyses per run, as scripts/heuristic-speed.sh measures,
	// that put BenchmarkCmpJailbreakDoc at 42 MB per CPU-second against 74
	// with this order (medians of 7).
	// TestAnalyzeReusesNormalizeBuffers in scanner/promptinjection.
	var local [16]*buffers
	more := append(local[:0], m.more...)
	clear(m.more)
	clear(r.Segments)
	m.more, m.segs = m.more[:0], r.Segments[:0]
	putBuffers(m)
	for _, b := range more {
		putBuffers(b)
	}
	r.mem = nil
	r.Segments = nil
}

func putBuffers(b *buffers) {
	if cap(b.out) <= maxPooled {
		bufPool.Put(b)
	}
}

// Normalize normalises s. It never panics, for any input.
func Normalize(s string, o Options) Result {
	o.fill()
	var r Result
	budget := o.MaxDecodedBytes
	normalizeInto(&r, s, o, 0, Plain, 0, len(s), &budget)
	return r
}

// String returns the normalised form of s without decoding: convenient for
// normalising rule keywords and short strings.
func String(s string) string {
	r := Normalize(s, Options{})
	return r.Segments[0].Text
}

func normalizeInto(r *Result, s string, o Options, depth int, kind Kind, lo, hi int, budget *int) {
	bufs := getBuffers(len(s))
	t1, m1, tags, gaps, cands, need, marks := stage1(s, bufs, &r.Stats)
	// stage 2 works in place and stage 1 may have grown the arrays.
	bufs.out, bufs.off = t1[:0], m1[:0]
	bufs.tags, bufs.gaps, bufs.cands, bufs.marks = tags[:0], gaps[:0], cands[:0], marks[:0]
	if r.mem == nil {
		r.mem = bufs
		r.Segments = bufs.segs[:0]
	} else {
		r.mem.more = append(r.mem.more, bufs)
	}
	rot := hasRot13Hint(s)
	t2, m2 := t1, m1
	if need {
		t2, m2 = stage2Marks(t1, m1, gaps, marks, &r.Stats)
	}
	// t2 is never written again, so the string can share its memory.
	seg := Segment{Text: unsafe.String(unsafe.SliceData(t2), len(t2)), Kind: kind, src: s, off: m2, lo: lo, hi: hi}
	if kind != Plain {
		seg.off = nil
		seg.src = ""
	}
	r.Segments = append(r.Segments, seg)
	if !o.Decode || depth >= o.MaxDepth {
		return
	}
	// Spans of nested segments always refer to the top-level input.
	mapSpan := func(a, b int) (int, int) {
		if kind != Plain {
			return lo, hi
		}
		return a, b
	}
	add := func(k Kind, decoded string, a, b int) bool {
		if len(r.Segments) > o.MaxSegments || *budget <= 0 {
			return false
		}
		if len(decoded) > *budget {
			decoded = Cut(decoded, *budget)
		}
		*budget -= len(decoded)
		r.Stats.Decoded++
		x, y := mapSpan(a, b)
		normalizeInto(r, decoded, o, depth+1, k, x, y, budget)
		return true
	}
	if len(tags) > 0 {
		// Tag characters spell ASCII; the span is from first to last tag.
		if !add(Tags, string(tags), tagLo(s), tagHi(s)) {
			return
		}
	}
	findEncoded(s, cands, o.MaxSegmentBytes, func(k Kind, decoded string, a, b int) bool {
		return add(k, decoded, a, b)
	})
	if rot {
		add(Rot13, ROT13(Cut(s, o.MaxSegmentBytes)), 0, len(s))
	}
}

// hasRot13Hint reports whether s mentions "rot13", "rot 13" or "rot-13"
// (any case).
func hasRot13Hint(s string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], "13")
		if j < 0 {
			return false
		}
		k := i + j // s[k:k+2] == "13"
		if k >= 1 && (s[k-1] == ' ' || s[k-1] == '-') {
			k--
		}
		if k >= 3 && s[k-3]|0x20 == 'r' && s[k-2]|0x20 == 'o' && s[k-1]|0x20 == 't' {
			return true
		}
		i += j + 2
	}
}

// Cut returns the longest prefix of s of at most n bytes that ends on a
// rune boundary.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ROT13 rotates ASCII letters by 13 places and leaves everything else.
func ROT13(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		}
	}
	return string(b)
}

// ---------------------------------------------------------------- stage 1

// asciiClass for the fast path.
const (
	acKeep  = iota // emit as is
	acUpper        // emit lower case
	acSpace        // whitespace (not newline)
	acLine         // newline
	acDrop         // control: drop, counts as invisible
	acPunct        // punctuation: collapse repeats
)

const (
	loBits = 0x0101010101010101
	hiBits = 0x8080808080808080
)

// load64 returns s[i:i+8] as a little-endian word (the compiler merges the
// byte loads into one).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// asciiWord8 classifies the eight bytes of x at once (SWAR): each result
// has 0x80 set in the bytes that are ASCII letters or digits (alnum), ASCII
// digits (digit), and 0x20 in the upper-case letters (upper: x|upper is x
// lower-cased). Each range test adds a per-byte constant to the low seven
// bits, which never carries into the next byte.
func asciiWord8(x uint64) (alnum, upper, digit uint64) {
	t := x &^ hiBits
	digit = (t + (0x80-'0')*loBits) &^ (t + (0x7f-'9')*loBits) & hiBits
	l := t | 0x20*loBits
	letter := (l + (0x80-'a')*loBits) &^ (l + (0x7f-'z')*loBits) & hiBits
	alnum = (digit | letter) &^ x // drop bytes >= 0x80
	digit &^= x
	upper = (letter &^ x &^ (x << 2)) >> 2 // bit 5 of each byte lands on bit 7
	return alnum, upper, digit
}

// letters8 classifies the eight bytes of x as prose needs them, in fewer
// steps than asciiWord8 (prose stops at digits anyway): letter has 0x80 in
// the bytes that are ASCII letters, hex in those that are a-f or A-F, and
// upper 0x20 in the upper-case letters (x|upper is x lower-cased).
func letters8(x uint64) (letter, upper, hex uint64) {
	l := x&^hiBits | 0x20*loBits // lower case, without the high bits
	a := l + (0x80-'a')*loBits   // bit 7 set from 'a' up
	letter = a &^ (l + (0x7f-'z')*loBits) & hiBits &^ x
	hex = a &^ (l + (0x7f-'f')*loBits) & hiBits &^ x
	upper = (letter &^ (x << 2)) >> 2 // bit 5 of each byte lands on bit 7
	return letter, upper, hex
}

// spaces8 has 0x80 in each byte of x that is a space.
func spaces8(x uint64) uint64 {
	const lo7 = ^uint64(hiBits)
	y := x ^ ' '*loBits // zero bytes where x has a space
	// A byte's high bit ends up set only when all its bits are zero
	// (adding lo7 to the low seven bits carries into bit 7 unless they
	// are zero, and never into the next byte).
	return ^((y&lo7 + lo7) | y | lo7)
}

// seq8 stores the identity offsets b, b+1, ..., b+7 in d[:8] with eight
// plain stores. Writing them as one array literal
// (*(*[8]int32)(d) = [8]int32{b, ..., b+7}) compiles to eight 4-byte stores
// into a stack temporary that is then copied with 16-byte loads, which the
// CPU cannot forward from the smaller stores. The profile put 40 % of
// prose's samples on that copy; the plain stores took
// BenchmarkHeuristicBenignProse from 303 to 355 MB per CPU-second (medians
// of 5 alternating runs on the shared 2-core machine).
func seq8(d []int32, b int32) {
	d = d[:8]
	d[0], d[1], d[2], d[3] = b, b+1, b+2, b+3
	d[4], d[5], d[6], d[7] = b+4, b+5, b+6, b+7
}

// prose handles the commonest stretch of text in stage 1 eight bytes at a
// time: words of ASCII letters, each followed by a single space or by a
// full stop or comma and a single space. Stage 1 copies such a stretch
// lower-cased with identity offsets, marks nothing (unless two one-letter
// words are separated by a single space: prose leaves that to the general
// loop, as it does a first word of one letter, since the word before it is
// not known here) and only records words that may be encoded runs
// (minEncodedRun letters or more, or two hex letters) as candidates. It is
// called at the start of a word, after a space or a line break (or at the
// start of the text), outside any encoded run, and returns how many bytes
// of s[i:] it handled (0: none); the last of them is a space. Blocks of
// letters and spaces are taken whole when cleanBlock's mask tests show
// that no word end needs a look; the others walk their word ends.
// TestStage1MatchesReference and FuzzStage1MatchesReference compare stage 1
// with the loop it had before this fast path (the candidates findEncoded
// does not decode left out).
func prose(s string, i int, outp *[]byte, offp *[]int32, candsp *[][2]int) int {
	const (
		cLetter = iota
		cSpace
		cPunct // '.' or ','
	)
	out, off := *outp, *offp
	start, o0 := i, len(out)
	done := i       // s[start:done] is handled; done follows a space
	ws := i         // start of the current word
	prev := cSpace  // class of the byte before s[i]
	wordEnd := -1   // end of the word before a '.' or ','
	single := false // the word before the last space had one letter
	first := true   // no word ended yet
	// Room for all of s[i:] at once, so that the loop only reslices.
	if room := o0 + len(s) - i; cap(out) < room || cap(off) < room {
		out, off = slices.Grow(out, room-len(out)), slices.Grow(off, room-len(off))
	}
	for len(s)-i >= 8 {
		x := load64(s, i)
		letter, upper, hex := letters8(x)
		sp := spaces8(x)
		o := o0 + i - start
		out, off = out[:o+8], off[:o+8]
		binary.LittleEndian.PutUint64(out[o:], x|upper)
		seq8(off[o:], int32(i))
		// A block of letters alone, or of letters and spaces that
		// cleanBlock passes, needs no walk over its word ends.
		if prev != cPunct && letter|sp == hiBits {
			if sp == 0 {
				prev = cLetter
				i += 8
				continue
			}
			// The first word the block ends may start before it (and be
			// long enough to be a candidate): it is checked here.
			e := i + bits.TrailingZeros64(sp)>>3
			if l := e - ws; cleanBlock(sp, hex) && (l > 2 || l == 2 && !(isHex(s[ws]) && isHex(s[ws+1]))) {
				if l >= minEncodedRun {
					*candsp = append(*candsp, [2]int{ws, e})
				}
				q := (63 - bits.LeadingZeros64(sp)) >> 3 // the last space
				done, ws = i+q+1, i+q+1
				first, single = false, false
				prev = cLetter
				if q == 7 {
					prev = cSpace
				}
				i += 8
				continue
			}
		}
		// Walk the non-letters; the bytes between them are letters.
		stop, lastQ := false, -1
		for nl := ^letter & hiBits; nl != 0 && !stop; nl &= nl - 1 {
			q := bits.TrailingZeros64(nl) >> 3
			if q > lastQ+1 {
				if prev == cPunct {
					stop = true // a letter right after '.' or ','
					break
				}
				prev = cLetter
			}
			lastQ = q
			switch {
			case sp>>(8*q)&0x80 != 0:
				p := i + q
				switch prev {
				case cLetter:
					wordEnd = p
					fallthrough
				case cPunct:
					l := wordEnd - ws
					if l == 1 && (first || single) {
						stop = true
						break
					}
					if l >= minEncodedRun || l == 2 && isHex(s[ws]) && isHex(s[ws+1]) {
						*candsp = append(*candsp, [2]int{ws, wordEnd})
					}
					single = l == 1 && prev == cLetter
					first = false
					done, ws = p+1, p+1
				default:
					stop = true // a second space
				}
				prev = cSpace
			case prev == cLetter && (s[i+q] == '.' || s[i+q] == ','):
				wordEnd = i + q
				prev = cPunct
			default:
				stop = true
			}
		}
		if !stop && lastQ < 7 {
			stop = prev == cPunct
			prev = cLetter
		}
		if stop {
			break
		}
		i += 8
	}
	n := done - start
	*outp, *offp = out[:o0+n], off[:o0+n]
	return n
}

// cleanBlock reports whether prose can take x, a block of letters and
// spaces sp (at least one), as a whole, without walking its word ends one
// by one: no two spaces in a row, and no word that starts and ends in the
// block and that the walk would stop at or record as a candidate: one
// letter long (a stop, or a stop for a one-letter word after it) or two
// hex letters (a spaced-hex candidate). prose checks the first word the
// block ends, which may start before the block.
//
// On benign prose most blocks are clean, and the walk costs a handful of
// unpredictable branches per word end: this path took BenchmarkCmpProseDoc
// from 368 to 396 MB per CPU-second and BenchmarkCmpBenignDoc from 139 to
// 170 (medians of 7 alternating runs). Taking blocks with full stops and
// commas too (two thirds of the blocks left to the walk on ProseDoc) was
// slower: 375 and 158, and 367 against 400 when tried again later.
func cleanBlock(sp, hex uint64) bool {
	// A word of one letter ends two bytes after a space, one of two
	// letters three bytes after one (hex: the hex letters, see letters8).
	return sp&(sp<<8|sp<<16) == 0 && sp&(sp<<24)&(hex<<8)&(hex<<16) == 0
}

// minEncodedRun is the shortest word of letters prose records as a
// candidate encoded run: findEncoded skips shorter runs without '%' (see
// decodable), so recording them only cost time.
const minEncodedRun = 16

// kindBit is 1<<wordTab[c] (see stage2): the kind of a byte as a bit.
var kindBit = func() (t [256]uint8) {
	for c := range t {
		t[c] = 1 << wordTab[c]
	}
	return t
}()

// lowerAlnum maps ASCII letters and digits to their lower-case form and
// every other byte to 0.
var lowerAlnum = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	return t
}()

var asciiTab = func() (t [128]uint8) {
	for c := 0; c < 128; c++ {
		switch {
		case c >= 'A' && c <= 'Z':
			t[c] = acUpper
		case c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r':
			t[c] = acSpace
		case c == '\n':
			t[c] = acLine
		case c < 0x20 || c == 0x7f:
			t[c] = acDrop
		case strings.IndexByte("!\"#%&'()*+,-./:;<=>?[\\]^_`{|}~", byte(c)) >= 0:
			t[c] = acPunct
		default:
			t[c] = acKeep
		}
	}
	return t
}()

// stage1 also undoes leetspeak inside runs of ASCII letters and digits,
// and reports whether stage2 has work left (joining spaced or hyphenated
// letters, leetspeak with @ and $ or next to non-ASCII letters).
func stage1(s string, bufs *buffers, st *Stats) (out []byte, off []int32, tags []byte, gaps []int, cands [][2]int, need bool, marks []int) {
	// marks: in increasing order, the output index of every stage-2
	// trigger and of every non-ASCII output byte (see stage2Marks).
	marks = bufs.marks
	mark := func(at int) {
		if n := len(marks); n == 0 || marks[n-1] < at {
			marks = append(marks, at)
		}
	}
	// Candidate encoded runs (see findEncoded) are collected here too, so
	// that decoding needs no extra pass over the text.
	runStart := -1
	closeRun := func(e int) {
		if l := e - runStart; l >= 9 || l == 2 && isHex(s[runStart]) && isHex(s[runStart+1]) {
			cands = append(cands, [2]int{runStart, e})
		}
		runStart = -1
	}
	out, off = bufs.out, bufs.off
	tags, gaps, cands = bufs.tags, bufs.gaps, bufs.cands
	var last byte // last emitted byte (0 at start)
	emitSpace := func(c byte, at int) {
		switch {
		case len(out) == 0:
			return // leading whitespace dropped
		case last == ' ' && c == '\n':
			out[len(out)-1] = '\n'
			last = '\n'
		case last == ' ' || last == '\n':
			// A collapsed run of 2+ whitespace: a word gap in spaced-out text.
			if n := len(gaps); n == 0 || gaps[n-1] != len(out)-1 {
				gaps = append(gaps, len(out)-1)
			}
		default:
			out = append(out, c)
			off = append(off, int32(at))
			last = c
		}
	}
	var dec [utf8.UTFMax * 18]byte
	for i := 0; i < len(s); {
		c := s[i]
		if runStart < 0 && (last == ' ' || last == '\n' || len(out) == 0) && len(s)-i >= 8 && wordTab[lowerAlnum[c]] == wLetter {
			// Fastest path: words of ASCII letters, each followed by one
			// space (see prose).
			if n := prose(s, i, &out, &off, &cands); n > 0 {
				i += n
				last = ' '
				continue
			}
		}
		if lowerAlnum[c] != 0 {
			// Fast path: a run of ASCII letters and digits.
			if runStart < 0 {
				runStart = i
			}
			if n := len(out); n >= 2 && isJoiner(out[n-1]) && wordTab[out[n-2]] == wLetter {
				need = true // hyphen-split word
				mark(n)
			}
			// The run is copied lower-cased, with its offsets, eight bytes
			// at a time (see asciiWord8); the slices are grown first so
			// that the loop only stores.
			o, rest := len(out), s[i:]
			out, off = slices.Grow(out, len(rest)), slices.Grow(off, len(rest)+1)
			ob, ofb := out[o:o+len(rest)], off[o:o+len(rest)]
			var letters, digits uint64
			k := 0
			for len(rest)-k >= 8 {
				x := load64(rest, k)
				alnum, upper, digit := asciiWord8(x)
				binary.LittleEndian.PutUint64(ob[k:], x|upper)
				seq8(ofb[k:], int32(i+k))
				if stop := ^alnum & hiBits; stop != 0 {
					in := stop&-stop - 1 // bits of the bytes before the first stop
					letters |= alnum &^ digit & in
					digits |= digit & in
					k += bits.TrailingZeros64(stop) >> 3
					goto runEnd
				}
				letters |= alnum &^ digit
				digits |= digit
				k += 8
			}
			for ; k < len(rest); k++ {
				l := lowerAlnum[rest[k]]
				if l == 0 {
					break
				}
				if l <= '9' {
					digits = 1
				} else {
					letters = 1
				}
				ob[k] = l
				ofb[k] = int32(i + k)
			}
		runEnd:
			kinds := uint8(0)
			if letters != 0 {
				kinds = 1 << wLetter
			}
			if digits != 0 {
				for _, c := range []byte(rest[:k]) {
					kinds |= kindBit[lowerAlnum[c]]
				}
			}
			j := i + k
			out, off = out[:o+k], off[:o+k]
			if kinds&(1<<wLetter) != 0 && kinds&(1<<wDigit) != 0 {
				st.Leet++
				for k := o; k < len(out); k++ {
					if l := leetMap[out[k]]; l != 0 {
						out[k] = l
					}
				}
			}
			if n := len(out); j-i == 1 && kinds == 1<<wLetter && n >= 3 && isSep(out[n-2]) && wordTab[out[n-3]] == wLetter &&
				(n == 3 || wordTab[out[n-4]] == wNone) {
				need = true // single letters separated by single separators
				mark(n - 3)
			}
			last = out[len(out)-1]
			i = j
			// Fast path: one space between two alphanumeric runs.
			if j+1 < len(s) && s[j] == ' ' && lowerAlnum[s[j+1]] != 0 {
				if runStart >= 0 {
					closeRun(j)
				}
				out = append(out, ' ')
				off = append(off, int32(j))
				last = ' '
				i = j + 1
			}
			continue
		}
		if c < utf8.RuneSelf {
			if runTab[c] {
				if runStart < 0 {
					runStart = i
				}
			} else if runStart >= 0 {
				closeRun(i)
			}
			switch asciiTab[c] {
			case acKeep:
				// Only '@' and '$' get here (letters and digits take the
				// fast path): possible leetspeak.
				need = true
				mark(len(out))
				out = append(out, c)
				off = append(off, int32(i))
				last = c
			case acUpper:
				c += 'a' - 'A'
				out = append(out, c)
				off = append(off, int32(i))
				last = c
			case acSpace:
				emitSpace(' ', i)
			case acLine:
				emitSpace('\n', i)
			case acDrop:
				st.Invisible++
				mark(len(out)) // a dropped byte may join two words into one
			case acPunct:
				if last != c {
					out = append(out, c)
					off = append(off, int32(i))
					last = c
				}
			}
			i++
			continue
		}
		if runStart >= 0 {
			closeRun(i)
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		at := int32(i)
		i += size
		if r == utf8.RuneError && size == 1 {
			mark(len(out))
			out = append(out, "\uFFFD"...)
			off = append(off, at, at, at)
			last = 0
			continue
		}
		if r >= 0xE0000 && r <= 0xE007F {
			st.Invisible++
			mark(len(out))
			if r >= 0xE0020 && r <= 0xE007E {
				tags = append(tags, byte(r-0xE0000))
			}
			continue
		}
		if isInvisible(r) {
			st.Invisible++
			mark(len(out))
			continue
		}
		if unicode.IsSpace(r) {
			emitSpace(' ', int(at))
			if r == 0x2028 || r == 0x2029 || r == 0x85 {
				emitSpace('\n', int(at))
			}
			continue
		}
		if l, ok := confusable(r); ok {
			st.Confusables++
			need = true
			mark(len(out))
			out = append(out, l)
			off = append(off, at)
			last = l
			continue
		}
		// NFKD decomposition, without allocating.
		p := norm.NFKD.PropertiesString(s[int(at):i])
		d := p.Decomposition()
		if d == nil {
			d = utf8.AppendRune(dec[:0], r)
		}
		for len(d) > 0 {
			r2, n2 := utf8.DecodeRune(d)
			d = d[n2:]
			if unicode.Is(unicode.Mn, r2) || isInvisible(r2) {
				continue
			}
			if r2 < utf8.RuneSelf {
				need = true
				mark(len(out))
				b := byte(r2)
				switch asciiTab[b] {
				case acUpper:
					b += 'a' - 'A'
				case acSpace, acLine:
					emitSpace(' ', int(at))
					continue
				case acDrop:
					continue
				}
				out = append(out, b)
				off = append(off, at)
				last = b
				continue
			}
			if l, ok := confusable(r2); ok {
				st.Confusables++
				out = append(out, l)
				off = append(off, at)
				last = l
				continue
			}
			if r2 == 'ß' || r2 == 'ẞ' {
				out = append(out, 's', 's')
				off = append(off, at, at)
				last = 's'
				continue
			}
			r2 = unicode.ToLower(r2)
			n := len(out)
			mark(n)
			out = utf8.AppendRune(out, r2)
			for range len(out) - n {
				off = append(off, at)
			}
			last = 0
		}
	}
	if runStart >= 0 {
		closeRun(len(s))
	}
	// trailing whitespace
	if len(out) > 0 && (last == ' ' || last == '\n') {
		out = out[:len(out)-1]
		off = off[:len(off)-1]
	}
	off = append(off, int32(len(s)))
	return out, off, tags, gaps, cands, need, marks
}

func isInvisible(r rune) bool {
	switch {
	case r < 0x80:
		return false
	case unicode.Is(unicode.Cf, r):
		return true
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF: // variation selectors
		return true
	case r == 0x034F, r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0, r == 0x2800, r == 0x180B, r == 0x180C, r == 0x180D, r == 0x180F:
		return true
	}
	return false
}

func tagLo(s string) int {
	for i, r := range s {
		if r >= 0xE0000 && r <= 0xE007F {
			return i
		}
	}
	return 0
}

func tagHi(s string) int {
	hi := len(s)
	for i, r := range s {
		if r >= 0xE0000 && r <= 0xE007F {
			hi = i + utf8.RuneLen(r)
		}
	}
	return hi
}

// ---------------------------------------------------------------- stage 2

const (
	wNone   = 0
	wLetter = 1
	wDigit  = 2 // leet-capable digit
	wOther  = 3 // other word byte: non-leet digit, non-ASCII
	wLeetS  = 4 // @ or $
)

var wordTab = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = wLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = wOther
	}
	for _, c := range "0134578" {
		t[c] = wDigit
	}
	t['@'], t['$'] = wLeetS, wLeetS
	for c := 0x80; c < 0x100; c++ {
		t[c] = wOther
	}
	return t
}()

var leetMap = func() (t [256]byte) {
	for k, v := range map[byte]byte{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', '$': 's'} {
		t[k] = v
	}
	return t
}()

// isJoiner: characters used to split a word without a space.
func isJoiner(c byte) bool { return c == '-' || c == '.' || c == '*' }

func isSep(c byte) bool {
	switch c {
	case ' ', '.', '-', '_', '*', '/', '|', ',', '+', '~', ':', '\'':
		return true
	}
	return false
}

// stage2 applies leetspeak and joins spaced-out letters. It works on the
// lower-cased stage-1 output.
func stage2(in []byte, m []int32, gaps []int, st *Stats) ([]byte, []int32) {
	return stage2Marks(in, m, gaps, nil, st)
}

// regionStart is the last word boundary at least four bytes before mark
// (see stage2Marks).
func regionStart(in []byte, mark int) int {
	p := 0
	if mark > 4 {
		p = min(mark-4, len(in))
		for p > 0 && wordTab[in[p-1]] != wNone {
			p--
		}
	}
	return p
}

// stage2Marks is stage2, with the same result, that tokenises only the
// words around the places stage 1 marked (marks, increasing; nil means
// everywhere) and moves the text between them as it is. Stage 2 changes
// only words that stage 1 marked (leetspeak with @ or $, a word split by a
// joiner, single letters between separators, confusables and
// decompositions), words that hold non-ASCII bytes and words joined by a
// dropped invisible character, and it never looks left of the word it is
// on; a marked word starts at or after the last word boundary four bytes
// before its mark (a joined word's mark is on the fragment after the
// joiner, a spaced run's on its first letter). So each stretch between the
// end of one marked region and the next region's start passes through
// unchanged. TestStage2MarksMatchesStage2 checks this on every shared
// dataset and FuzzStage2Marks on random text. On benign prose, where a
// hyphenated word or an accented letter turns up every few hundred bytes,
// this skips most of the per-word work.
func stage2Marks(in []byte, m []int32, gaps []int, marks []int, st *Stats) ([]byte, []int32) {
	// The output is never longer than the input (leetspeak keeps lengths,
	// joining drops separators), so it is written in place: every write
	// lands at or before the byte being read.
	w := 0
	pos := 0 // in[pos:] not yet processed
	n := len(in)
	// move copies in[x:y] (and its offsets) to the write position; while
	// nothing has been dropped yet, w == x and there is nothing to do.
	move := func(x, y int) {
		if w != x {
			copy(in[w:], in[x:y])
			copy(m[w:], m[x:y])
		}
		w += y - x
	}
	const letterOnly = 1 << wLetter
	gi := 0 // gaps[:gi] lie before the current position
	gapAt := func(i int) bool {
		for gi < len(gaps) && gaps[gi] < i {
			gi++
		}
		return gi < len(gaps) && gaps[gi] == i
	}
	mi := 0
	for pos < n {
		if marks != nil {
			for mi < len(marks) && marks[mi] < pos {
				mi++
			}
			next := n // no mark left: move the rest
			if mi < len(marks) {
				next = regionStart(in, marks[mi])
			}
			if next > pos {
				move(pos, next)
				pos = next
				if pos >= n {
					break
				}
			}
		}
		a := pos
		for a < n && wordTab[in[a]] == wNone {
			a++
		}
		move(pos, a)
		if a >= n {
			pos = n
			break
		}
		// kinds: the set of word-byte kinds in the token.
		kinds := 0
		b := a
		for b < n && wordTab[in[b]] != wNone {
			kinds |= 1 << wordTab[in[b]]
			b++
		}
		if b-a == 1 && kinds == letterOnly {
			// A run of single letters each separated by exactly one separator.
			cnt, end := 1, b
			for end+1 < n && wordTab[in[end+1]] == wLetter && (end+2 == n || wordTab[in[end+2]] == wNone) &&
				isSep(in[end]) && !gapAt(end) {
				cnt++
				end += 2
			}
			if cnt >= 3 {
				for i := a; i < end; i += 2 {
					in[w], m[w] = in[i], m[i]
					w++
				}
				st.Spaced++
				pos = end
				continue
			}
		}
		if kinds&letterOnly != 0 && kinds&(1<<wDigit|1<<wLeetS) != 0 {
			st.Leet++
			for i := a; i < b; i++ {
				c := in[i]
				if leetMap[c] != 0 {
					c = leetMap[c]
				}
				in[w], m[w] = c, m[i]
				w++
			}
		} else {
			move(a, b)
		}
		pos = b
		// A word split by a hyphen, dot or star next to a
		// fragment of one to three letters ("i-nstruction", "ign.ore",
		// "terminatio-n") is joined. A star after a single letter is a
		// mask ("f*ck", "a**hole"), not a split: it is left for the
		// scanners that resolve masked spellings.
		if b+1 < n && isJoiner(in[b]) && kinds == letterOnly && wordTab[in[b+1]] == wLetter && !(in[b] == '*' && b-a == 1) {
			e := b + 1
			for e < n && wordTab[in[e]] == wLetter {
				e++
			}
			if (b-a <= 3 || e-b-1 <= 3) && (e == n || wordTab[in[e]] == wNone) && !(b-a == 1 && e-b-1 == 1) {
				pos = b + 1
			}
		}
	}
	m[w] = m[n]
	return in[:w], m[:w+1]
}

// ---------------------------------------------------------------- decoding

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

// runTab marks bytes that can be part of an encoded run (base64 alphabets,
// padding, percent and backslash escapes).
var runTab = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isB64(byte(c)) || c == '=' || c == '%' || c == '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// findEncoded calls emit for each decodable run in s, in order, until emit
// returns false. cands are the runs of encoding bytes (runTab) that are at
// least 9 bytes long or a pair of hex digits, as found by stage1.
func findEncoded(s string, cands [][2]int, maxRun int, emit func(k Kind, decoded string, a, b int) bool) {
	next := 0 // bytes before next were consumed by an earlier payload
	for _, cd := range cands {
		i, j := cd[0], cd[1]
		if i < next {
			continue
		}
		if j-i == 2 {
			// The start of space-separated hex pairs: "69 67 6e 6f 72 65".
			if a, b, d, ok := spacedHex(s, i, maxRun); ok {
				if !emit(Hex, d, a, b) {
					return
				}
				next = b
			}
			continue
		}
		run := s[i:j]
		if !decodable(run) {
			continue
		}
		if len(run) > maxRun {
			run = run[:maxRun]
		}
		if k, d, ok := decodeRun(run); ok {
			if !emit(k, d, i, i+len(run)) {
				return
			}
			next = j
			continue
		}
		// "key=payload": try what follows the last interior '='.
		if e := strings.LastIndexByte(strings.TrimRight(run, "="), '='); e >= 0 && len(run)-e > 9 {
			if k, d, ok := decodeRun(run[e+1:]); ok {
				if !emit(k, d, i+e+1, i+len(run)) {
					return
				}
				next = j
				continue
			}
		}
		// Hex pairs separated by single spaces may start with a longer run.
		if a, b, d, ok := spacedHex(s, i, maxRun); ok {
			if !emit(Hex, d, a, b) {
				return
			}
			next = b
		}
	}
}

// decodable reports whether findEncoded tries to decode a candidate run
// longer than two bytes: shorter runs are too short to decode (every
// encoding in decodeRun needs 16 bytes or three escapes), and a run this
// long holds no spaced hex pair: most such runs are long words.
func decodable(run string) bool {
	if len(run) >= 16 {
		return true
	}
	// A plain loop: strings.Count's vectorised setup, for the words of 9
	// to 15 letters that most such runs are, was 3 % of normalising the
	// jailbreak corpus.
	n := 0
	for i := 0; i < len(run); i++ {
		if run[i] == '%' {
			n++
		}
	}
	return n >= 3
}

func decodeRun(run string) (Kind, string, bool) {
	if strings.Count(run, "%") >= 3 {
		if d, err := url.QueryUnescape(run); err == nil && d != run && printable(d) {
			return URL, d, true
		}
	}
	if strings.HasPrefix(run, `\x`) && len(run) >= 16 {
		h := strings.ReplaceAll(run, `\x`, "")
		if b, err := hex.DecodeString(h); err == nil && printable(string(b)) {
			return Hex, string(b), true
		}
	}
	core := strings.TrimPrefix(strings.TrimPrefix(run, "0x"), "0X")
	// trim trailing punctuation that is not part of the encoding
	core = strings.TrimRight(core, ".,;:!?)\"'")
	if len(core) >= 16 && len(core)%2 == 0 && allHex(core) {
		if b, err := hex.DecodeString(core); err == nil && printable(string(b)) {
			return Hex, string(b), true
		}
	}
	b64 := strings.TrimRight(core, "=")
	if len(b64) >= 16 && allB64(b64) && mixedB64(b64) {
		if len(b64)%4 == 1 {
			b64 = b64[:len(b64)-1]
		}
		enc := base64.RawStdEncoding
		if strings.ContainsAny(b64, "-_") {
			enc = base64.RawURLEncoding
		}
		if b, err := enc.DecodeString(b64); err == nil && printable(string(b)) {
			return Base64, string(b), true
		}
	}
	return Plain, "", false
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func allB64(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isB64(s[i]) {
			return false
		}
	}
	return true
}

// mixedB64: real base64 of text mixes upper and lower case; plain words and
// identifiers rarely survive the printable test anyway, this skips them early.
func mixedB64(s string) bool {
	var up, lo bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		up = up || c >= 'A' && c <= 'Z'
		lo = lo || c >= 'a' && c <= 'z'
	}
	return up && lo
}

func spacedHex(s string, i, maxRun int) (int, int, string, bool) {
	// The pairs are counted before anything is decoded: most candidates
	// are a two-letter word ("be", "ad"), and decoding each with
	// hex.DecodeString cost two allocations per word of benign prose.
	n, j := 0, i
	for j+1 < len(s) && isHex(s[j]) && isHex(s[j+1]) && (j+2 == len(s) || s[j+2] == ' ' || s[j+2] == ',') && n < maxRun {
		n++
		j += 3
	}
	if n < 8 {
		return 0, 0, "", false
	}
	buf := make([]byte, n)
	for k := range buf {
		buf[k] = unhex(s[i+3*k])<<4 | unhex(s[i+3*k+1])
	}
	if !printable(string(buf)) {
		return 0, 0, "", false
	}
	return i, min(j-1, len(s)), string(buf), true
}

// unhex is the value of the hex digit c.
func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// printable reports whether b is valid UTF-8 text, mostly letters, digits,
// punctuation and spaces, with at least a few letters.
func printable(s string) bool {
	if len(s) < 6 || !utf8.ValidString(s) {
		return false
	}
	var good, bad, letters int
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
			good++
		case unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ' || r == '\n' || r == '\t' || r == '\r':
			good++
		default:
			bad++
		}
	}
	return letters >= 4 && bad*10 <= good && letters*2 >= good
}
