package secrets

import (
	"regexp/syntax"
	"testing"
)

func TestMaxMatchLen(t *testing.T) {
	for _, c := range []struct {
		expr string
		want int
	}{
		{`abc`, 3},
		{`(?i)k`, 3}, // K folds to the Kelvin sign, three bytes
		{`a{2,5}b?`, 6},
		{`\b(ghp_[0-9a-zA-Z]{36})\b`, 40},
		{`[a-z]+`, -1},
		{`x*`, -1},
		{`a{3,}`, -1},
		{`(?:ab|cde)\s`, 4},
		{`.`, 4},
		{`é`, 2},
	} {
		re, err := syntax.Parse(c.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if got := maxMatchLen(re.Simplify()); got != c.want {
			t.Errorf("maxMatchLen(%q) = %d, want %d", c.expr, got, c.want)
		}
	}
}

func TestWindowable(t *testing.T) {
	for _, c := range []struct {
		expr     string
		keywords []string
		ok       bool
	}{
		{`\b(ghp_[0-9a-zA-Z]{36})\b`, []string{"ghp_"}, true},
		{`\b((?:sk|rk)_(?:test|live)_[a-z0-9]{10,99})`, []string{"sk_test", "sk_live", "rk_test", "rk_live"}, true},
		{`\b((?:sk|rk)_(?:test|live)_[a-z0-9]{10,99})`, []string{"sk_test", "sk_live"}, false}, // rk_ matches carry no keyword
		{`(?i)token\s*=\s*([a-z0-9]{32})`, []string{"token"}, false},                           // unbounded
		{`(?i)\b(AKIA[A-Z0-9]{16})\b`, []string{"akia"}, true},
		{`(?:secret|[a-f0-9]{40})`, []string{"secret"}, false}, // the hex branch needs no keyword
		{`abc`, nil, false},
	} {
		_, ok := windowable(c.expr, c.keywords)
		if ok != c.ok {
			t.Errorf("windowable(%q, %q) = %v, want %v", c.expr, c.keywords, ok, c.ok)
		}
	}
}

func TestAssignmentRule(t *testing.T) {
	tmpl := `(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([a-z0-9]{32})(?:[\x60'"\s;]|\\[nr]|$)`
	for _, c := range []struct {
		expr     string
		keywords []string
		want     bool
	}{
		{`(?i)[\w.-]{0,50}?(?:freshbooks)` + tmpl, []string{"freshbooks"}, true},
		{`(?i)[\w.-]{0,50}?(?:sonar[_.-]?(login|token))` + tmpl, []string{"sonar"}, true},
		{`(?i)[\w.-]{0,50}?(?:api|lob)` + tmpl, []string{"live_", "test_"}, false}, // keywords outside the group
		{`(?i)[\w.-]{0,50}?(?:jira)` + tmpl + `|\b(ATATT3[A-Za-z0-9]{10})`, []string{"jira", "atatt3"}, false},
		{`(?i)[\w.-]{0,50}?(?:a b)` + tmpl, []string{"a b"}, false}, // a space in the group
		{`(?i)(?:freshbooks)` + tmpl, []string{"freshbooks"}, false},
	} {
		if got := assignmentRule(c.expr, c.keywords); got != c.want {
			t.Errorf("assignmentRule(%.50q, %q) = %v, want %v", c.expr, c.keywords, got, c.want)
		}
	}
	for _, c := range []struct {
		text string
		at   int
		want bool
	}{
		{"api_key = x", 3, true},
		{"api_key: x", 3, true},
		{"api key is here", 3, false},
		{"api_key\n  'x' => y", 3, false}, // a quote then a letter: not an operator
		{`token" : "x"`, 5, true},
		{"token", 5, false},
	} {
		if got := assignmentAfter(c.text, c.at); got != c.want {
			t.Errorf("assignmentAfter(%q, %d) = %v, want %v", c.text, c.at, got, c.want)
		}
	}
}

// TestWindowsMatchFullText checks the windowed engine against running
// every enabled rule on the whole text, on texts where keywords sit near
// window edges, in long identifiers and in long unbroken runs.
func TestWindowsMatchFullText(t *testing.T) {
	set, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	windowed := newEngine(set.rules, set.allowlists)
	full := newEngine(set.rules, set.allowlists)
	full.windows = false
	pad := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcdefgh ijklm\nnopq_rs-tuv.wxyz"[i%31]
		}
		return string(b)
	}
	texts := []string{
		"very_long_identifier_prefix_" + pad(40) + "_api_key = \"Zx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk\"",
		pad(300) + " token: Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df8Gh1Jk3Lz" + pad(3000),
		"secret = " + pad(2) + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sU9wY1" + string(make([]byte, 0)) + pad(10),
		"api_key=" + string(repeatByte('Q', 5000)) + " end",
		"x " + fakeGitHub + " " + pad(2000) + "ghp_" + pad(10) + fakeStripe,
		"freshbooks_token = 0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9\n",
	}
	total := 0
	for _, text := range texts {
		a, err := windowed.detect(t.Context(), text)
		if err != nil {
			t.Fatal(err)
		}
		b, err := full.detect(t.Context(), text)
		if err != nil {
			t.Fatal(err)
		}
		type span struct {
			rule       string
			start, end int
		}
		set := func(hs []hit) map[span]bool {
			m := map[span]bool{}
			for _, h := range hs {
				m[span{windowed.rules[h.rule].id, h.start, h.end}] = true
			}
			return m
		}
		total += len(b)
		sa, sb := set(a), set(b)
		for s := range sb {
			if !sa[s] {
				t.Errorf("%.40q: full text finds %+v, windows do not", text, s)
			}
		}
		for s := range sa {
			if !sb[s] {
				t.Errorf("%.40q: windows find %+v, full text does not", text, s)
			}
		}
	}
	if total < 4 {
		t.Errorf("only %d hits in all texts; the comparison proves little", total)
	}
}

func repeatByte(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}
