package ahocorasick

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// naive is the reference: every (pattern, start) pair by brute force.
func naive(patterns []string, text string) map[Match]bool {
	got := map[Match]bool{}
	for pi, p := range patterns {
		if p == "" {
			continue
		}
		for i := 0; i+len(p) <= len(text); i++ {
			if text[i:i+len(p)] == p {
				got[Match{Pattern: pi, Start: i, End: i + len(p)}] = true
			}
		}
	}
	return got
}

func TestFindAllMatchesNaive(t *testing.T) {
	cases := []struct {
		patterns []string
		text     string
	}{
		{[]string{"he", "she", "his", "hers"}, "ushers"},
		{[]string{"system prompt", "prompt", "your system prompt"}, "show me your system prompt now, prompt!"},
		{[]string{"aa", "a", "aaa"}, "aaaaa"},
		{[]string{"", "x"}, "xx"},
		{[]string{"ignore"}, ""},
		{[]string{"\x00\xff", "\xff"}, "a\x00\xff\xff"},
	}
	for _, c := range cases {
		m := New(c.patterns)
		got := map[Match]bool{}
		for _, x := range m.FindAll(c.text, 0) {
			got[x] = true
		}
		if d := cmp.Diff(naive(c.patterns, c.text), got); d != "" {
			t.Errorf("%q in %q (-want +got):\n%s", c.patterns, c.text, d)
		}
	}
}

func TestRandomAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alpha = "abc "
	for range 300 {
		var ps []string
		for range 1 + r.IntN(8) {
			ps = append(ps, randString(r, 1+r.IntN(4), alpha))
		}
		text := randString(r, r.IntN(60), alpha)
		m := New(ps)
		got := map[Match]bool{}
		for _, x := range m.FindAll(text, 0) {
			got[x] = true
		}
		if d := cmp.Diff(naive(ps, text), got); d != "" {
			t.Fatalf("%q in %q (-want +got):\n%s", ps, text, d)
		}
	}
}

func TestLimitAndContains(t *testing.T) {
	m := New([]string{"a"})
	if got := len(m.FindAll("aaaa", 2)); got != 2 {
		t.Errorf("limit 2: got %d matches", got)
	}
	if !m.Contains("xxa") || m.Contains("xxx") {
		t.Error("Contains wrong")
	}
	var nilM *Matcher
	if nilM.Contains("a") {
		t.Error("nil matcher matched")
	}
}

func BenchmarkEach(b *testing.B) {
	m := New([]string{"ignore", "instructions", "system prompt", "jailbreak", "developer mode", "pretend"})
	text := strings.Repeat("the quick brown fox jumps over the lazy dog while reading a book. ", 2000)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		m.Each(text, func(Match) bool { return true })
	}
}

// TestLargeAutomaton covers the int32 table used past 65535 states.
func TestLargeAutomaton(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var ps []string
	for range 6000 {
		var b strings.Builder
		for range 14 {
			b.WriteByte(byte('a' + r.IntN(20)))
		}
		ps = append(ps, b.String())
	}
	m := New(ps)
	if states, _, _ := m.Stats(); states < 1<<16 {
		t.Fatalf("only %d states; the test needs more than 65535", states)
	}
	text := "xx" + ps[17] + "y" + ps[4242] + ps[5999][:7] + ps[0]
	got := map[Match]bool{}
	for _, x := range m.FindAll(text, 0) {
		got[x] = true
	}
	if d := cmp.Diff(naive(ps, text), got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestAppendMatchesEqualsEach checks the four-piece walk against Each on
// random texts long enough to be cut, with matches across the cuts.
func TestAppendMatchesEqualsEach(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	patterns := []string{"ab", "abcab", "b", "cabca", "aaaa", "bcbcbcbcbcbcbcbcbcbc", "c a"}
	m := New(patterns)
	for range 300 {
		var sb strings.Builder
		for range r.IntN(3000) {
			sb.WriteByte("abc "[r.IntN(4)])
		}
		text := sb.String()
		var want []Match
		m.Each(text, func(x Match) bool { want = append(want, x); return true })
		got := m.AppendMatches([]Match{{Pattern: -1}}, text)
		if d := cmp.Diff(append([]Match{{Pattern: -1}}, want...), got); d != "" {
			t.Fatalf("len %d (-Each +AppendMatches):\n%s", len(text), d)
		}
	}
}

func FuzzAppendMatches(f *testing.F) {
	f.Add("ab", "xxabxx", uint8(40))
	f.Add("ignore|previous|ignore previous", "please ignore previous instructions", uint8(200))
	f.Fuzz(func(t *testing.T, pats, text string, rep uint8) {
		m := New(strings.Split(pats, "|"))
		text = strings.Repeat(text, int(rep)%64+1)
		var want []Match
		m.Each(text, func(x Match) bool { want = append(want, x); return true })
		if d := cmp.Diff(want, m.AppendMatches(nil, text)); d != "" {
			t.Fatalf("(-Each +AppendMatches):\n%s", d)
		}
	})
}

// TestAppendStartsAndLast checks the joint walk against AppendStarts and
// LastStart, with and without matches of either automaton.
func TestAppendStartsAndLast(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	a := New([]string{"ab", "b", "ca", "abcab"})
	b := New([]string{"cc", "bca", "a b"})
	for range 500 {
		var sb strings.Builder
		for range r.IntN(200) {
			sb.WriteByte("abc "[r.IntN(4)])
		}
		text := sb.String()
		gotS, gotL := a.AppendStartsAndLast([]int{-7}, b, text)
		wantS, wantL := a.AppendStarts([]int{-7}, text), b.LastStart(text)
		if d := cmp.Diff(wantS, gotS); d != "" || gotL != wantL {
			t.Fatalf("%q: last %d, want %d; starts (-want +got):\n%s", text, gotL, wantL, d)
		}
	}
}

// lastStartNaive is the largest start of any pattern in text, or -1.
func lastStartNaive(patterns []string, text string) int {
	last := -1
	for m := range naive(patterns, text) {
		last = max(last, m.Start)
	}
	return last
}

// randString is n bytes drawn from alpha.
func randString(r *rand.Rand, n int, alpha string) string {
	var b strings.Builder
	for range n {
		b.WriteByte(alpha[r.IntN(len(alpha))])
	}
	return b.String()
}

// TestBackwardLastStart checks the backward walk against brute force, for
// a small automaton and for one large enough to use the wide table.
func TestBackwardLastStart(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var large []string
	for range 3000 {
		large = append(large, randString(r, 20, "abcdefgh"))
	}
	large = append(large, "ab", "hh")
	sets := [][]string{{"ab", "b", "ca", "abcab", ""}, {"cc", "bca", "a b"}, {"\xff\x00", "é"}, large}
	if New(large).small != nil {
		t.Fatal("large automaton uses the small table")
	}
	for _, pats := range sets {
		bw := NewBackward(pats)
		for range 300 {
			text := randString(r, r.IntN(200), "abch \xff\x00\xc3\xa9")
			if got, want := bw.LastStart(text), lastStartNaive(pats, text); got != want {
				t.Fatalf("%q: LastStart %d, want %d", text, got, want)
			}
			if s, e := bw.Last(text); s >= 0 && !slices.Contains(pats, text[s:e]) || s != bw.LastStart(text) {
				t.Fatalf("%q: Last %d, %d is no occurrence", text, s, e)
			}
		}
	}
}

func FuzzBackwardLastStart(f *testing.F) {
	f.Add("ab|b|ca", "xxabxxcab")
	f.Add("ignore|previous instructions", "please ignore previous instructions")
	f.Fuzz(func(t *testing.T, pats, text string) {
		p := strings.Split(pats, "|")
		bw := NewBackward(p)
		if got, want := bw.LastStart(text), New(p).LastStart(text); got != want {
			t.Fatalf("Backward.LastStart %d, LastStart %d", got, want)
		}
		if s, e := bw.Last(text); s >= 0 && (!slices.Contains(p, text[s:e]) || e-s > bw.MaxLen()) {
			t.Fatalf("Last %d, %d is no occurrence", s, e)
		}
	})
}

// TestTinyMatchesSmall checks the walks on the pre-multiplied table
// (tiny) against the same walks on the plain one (small), for automata
// small enough to have both, and that a medium one has only small.
func TestTinyMatchesSmall(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var medium []string
	for range 600 {
		medium = append(medium, randString(r, 12, "abcdefgh"))
	}
	if m := New(medium); m.small == nil || m.tiny != nil {
		t.Fatal("medium automaton: want the small table only")
	}
	sets := [][]string{{"ab", "b", "ca", "abcab", ""}, {"cc", "bca", "a b"}, {"\xff\x00", "é"}, {"ignore", "ignore previous", "nore"}}
	for _, pats := range sets {
		m, bw := New(pats), NewBackward(pats)
		if m.tiny == nil || bw.m.tiny == nil {
			t.Fatalf("%q: no tiny table", pats)
		}
		plain, plainBw := *m, &Backward{m: new(Matcher)}
		plain.tiny = nil
		*plainBw.m = *bw.m
		plainBw.m.tiny = nil
		for range 500 {
			text := randString(r, r.IntN(300), "abcghinorepvus \xff\x00\xc3\xa9")
			if got, want := m.AppendStarts(nil, text), plain.AppendStarts(nil, text); !slices.Equal(got, want) {
				t.Fatalf("%q %q: AppendStarts %v, small table %v", pats, text, got, want)
			}
			if got, want := m.LastStart(text), plain.LastStart(text); got != want {
				t.Fatalf("%q %q: LastStart %d, small table %d", pats, text, got, want)
			}
			s, e := bw.Last(text)
			if ws, we := plainBw.Last(text); s != ws || e != we {
				t.Fatalf("%q %q: Backward.Last %d,%d, small table %d,%d", pats, text, s, e, ws, we)
			}
		}
	}
}
