package secrets

import (
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The plain recursion that analysis memoises, kept as the reference its
// answers must equal (it expanded the same nodes many times over and took
// most of the scanner's start-up).

func refMustContain(re *syntax.Regexp, keywords []string) bool {
	switch re.Op {
	case syntax.OpCapture:
		return refMustContain(re.Sub[0], keywords)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !refMustContain(s, keywords) {
				return false
			}
		}
		return true
	case syntax.OpRepeat, syntax.OpPlus:
		if re.Op == syntax.OpPlus || re.Min >= 1 {
			return refMustContain(re.Sub[0], keywords)
		}
		return false
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if refMustContain(s, keywords) {
				return true
			}
		}
		for i := range re.Sub {
			vs := []string{""}
			for j := i; j < len(re.Sub); j++ {
				next, ok := refFinite(re.Sub[j])
				if !ok {
					break
				}
				vs = cross(vs, next)
				if vs == nil {
					break
				}
				if allContain(vs, keywords) {
					return true
				}
			}
		}
		return false
	}
	vs, ok := refFinite(re)
	return ok && allContain(vs, keywords)
}

func refFinite(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpCharClass:
		var out []string
		seen := map[string]bool{}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] > maxVariants {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				s := strings.ToLower(string(r))
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
				if len(out) > maxVariants {
					return nil, false
				}
			}
		}
		return out, true
	case syntax.OpCapture:
		return refFinite(re.Sub[0])
	case syntax.OpQuest:
		vs, ok := refFinite(re.Sub[0])
		if !ok {
			return nil, false
		}
		return append([]string{""}, vs...), true
	case syntax.OpConcat:
		vs := []string{""}
		for _, s := range re.Sub {
			next, ok := refFinite(s)
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
			vs, ok := refFinite(s)
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

// checkAnalysis compares analysis with the reference on the simplified
// expr (and, with allNodes, on each of its nodes: the reference recursion
// takes minutes on every node of the built-in rules), and returns how many
// nodes it checked.
func checkAnalysis(t *testing.T, expr string, keywords []string, allNodes bool) int {
	t.Helper()
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	re = re.Simplify()
	a := newAnalysis(keywords)
	seen := map[*syntax.Regexp]bool{}
	var walk func(n *syntax.Regexp)
	walk = func(n *syntax.Regexp) {
		if seen[n] {
			return
		}
		seen[n] = true
		wantVs, wantOK := refFinite(n)
		gotVs, gotOK := a.finite(n)
		if gotOK != wantOK || !slices.Equal(gotVs, wantVs) {
			t.Errorf("%.60q: finite(%.60s) = %q, %v; reference %q, %v", expr, n, gotVs, gotOK, wantVs, wantOK)
		}
		if got, want := a.mustContain(n), refMustContain(n, keywords); got != want {
			t.Errorf("%.60q: mustContain(%.60s, %q) = %v; reference %v", expr, n, keywords, got, want)
		}
		if allNodes {
			for _, s := range n.Sub {
				walk(s)
			}
		}
	}
	walk(re)
	return len(seen)
}

// TestAnalysisMatchesReference checks the memoised analysis against the
// plain recursion on every built-in rule (and each assignment rule's
// keyword group), and on every node of expressions made to trip it:
// case folding to non-ASCII runes, repeated alternatives, counted
// repetitions, invalid ranges.
func TestAnalysisMatchesReference(t *testing.T) {
	var rules []Rule
	for _, src := range []struct {
		name string
		data []byte
	}{{"gitleaks.toml", gitleaksTOML}, {"extra.toml", extraTOML}} {
		f, err := parseRuleFile(src.name, src.data)
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, f.Rules...)
	}
	nodes := 0
	for _, r := range rules {
		if r.Regex == "" {
			continue
		}
		kws := make([]string, len(r.Keywords))
		for i, k := range r.Keywords {
			kws[i] = strings.ToLower(k)
		}
		nodes += checkAnalysis(t, r.Regex, kws, false)
		if strings.HasPrefix(r.Regex, assignPrefix) {
			// assignmentRule analyses the keyword group on its own.
			if g, ok := strings.CutPrefix(r.Regex, assignIdentPrefix); ok {
				if i := strings.Index(g, assignTemplate); i > 0 {
					nodes += checkAnalysis(t, "(?i)"+g[:i], kws, false)
				}
			}
		}
	}
	for _, c := range []struct {
		expr     string
		keywords []string
	}{
		{`(?i)k[a-z]{2}`, []string{"k"}},
		{`(?i)[a-z0-9]{3}key`, []string{"key"}},
		{`(?:ab|ab|ab)c?(?:x|y){0,2}`, []string{"ab"}},
		{`(?:sk|rk)_(?:test|live)_[a-z0-9]{10,99}`, []string{"sk_test", "rk_live"}},
		{`[\x{D7F0}-\x{D81F}]x`, []string{"x"}},
		{`(?i)[\x{17F}\x{212A}s]tok(?:en)?`, []string{"tok"}},
		{`(?:a{2,5}|b{0,3})(?:c|d)*e+`, []string{"e"}},
		{`^\b(?:x|)$`, []string{""}},
	} {
		nodes += checkAnalysis(t, c.expr, c.keywords, true)
	}
	if nodes < 300 {
		t.Errorf("only %d expressions and nodes checked", nodes)
	}
}

// TestLowerRune checks lowerRune against strings.ToLower on every rune and
// on values outside the valid range.
func TestLowerRune(t *testing.T) {
	for r := rune(-2); r <= utf8.MaxRune+2; r++ {
		if got, want := string(lowerRune(r)), strings.ToLower(string(r)); got != want {
			t.Fatalf("lowerRune(%U) = %q, want %q", r, got, want)
		}
	}
}
