package codedetect

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-enry/go-enry/v2"
	"github.com/go-enry/go-enry/v2/data"
)

// The tests here check our Linguist code (linguist.go, tokenize.go) against
// go-enry itself, which the binary no longer links.

func enryAlias(s string) (string, bool) { return enry.GetLanguageByAlias(s) }

func TestAliasesAgreeWithEnry(t *testing.T) {
	var inputs []string
	for k := range data.LanguageByAliasMap {
		inputs = append(inputs, k, strings.ToUpper(k), strings.ReplaceAll(k, "_", " "), k+", extra", " "+k)
	}
	for n := range data.IDByLanguage {
		inputs = append(inputs, n, strings.ToLower(n), n+",x")
	}
	inputs = append(inputs, "", ",", "klingon-script", "Python ,x", "c sharp", "İ", "\xff", "golang\n")
	for _, in := range inputs {
		wl, wok := enryAlias(in)
		if l, ok := LanguageByAlias(in); l != wl || ok != wok {
			t.Errorf("LanguageByAlias(%q) = %q, %v; go-enry %q, %v", in, l, ok, wl, wok)
		}
		_, wid := enry.GetLanguageID(in)
		if IsLanguage(in) != wid {
			t.Errorf("IsLanguage(%q) = %v; go-enry %v", in, !wid, wid)
		}
	}
	t.Logf("%d alias and name spellings agree", len(inputs))
}

func enryShebang(content string) string {
	if l, ok := enry.GetLanguageByShebang([]byte(content)); ok {
		return l
	}
	return ""
}

// shebangSeeds are shebang lines in the forms interpreter() handles, for
// every interpreter go-enry knows, and edge cases.
func shebangSeeds() []string {
	var out []string
	for k := range data.LanguagesByInterpreter {
		out = append(out, "#!/usr/bin/"+k, "#!/usr/bin/env "+k+"\nx", "#!/usr/bin/env -S "+k+" -u", "#! /usr/local/bin/"+k+" --flag\r\n",
			"#!/usr/bin/env A=B C=D "+k, "#!"+k, "#!/bin/sh\n# comment\nexec "+k+" \"$0\" \"$@\"\n", "#!/usr/bin/env "+k+"3.11")
	}
	return append(out, "#!/usr/bin/env", "#!/usr/bin/env\tpython", "#!", "#! ", "#!/usr/bin/python3.11 -u", "#!/usr/bin/env node-x y",
		"#!/usr/bin/osascript -l JavaScript", "#!/usr/bin/osascript", "#!/bin/sh\nexec foo$0 x $@\n", "#!/bin/sh\nexec  tclsh \"$0\" \"$@\"",
		"#!/bin/sh\n\n\n\n\nexec wish \"$0\" \"$@\"", "#!/bin/sh\nexec wish \"$0\"", "#!/usr/bin/env a= b==c python", "#!/usr/bin/env -i", "#!\xff/python",
		"#!/usr/bin/env\u00a0python", "#!C:/Python/python.exe", "#!/bin/sh\r\nexec tclsh $0 $@\r\n", "#!/usr/bin/env python2.7.1rc")
}

func TestShebangAgreesWithEnry(t *testing.T) {
	seeds := shebangSeeds()
	for _, s := range seeds {
		if got, want := shebangLang(s), enryShebang(s); got != want {
			t.Errorf("shebangLang(%q) = %q; go-enry %q", s, got, want)
		}
	}
	t.Logf("%d shebangs agree", len(seeds))
}

func FuzzShebangAgreesWithEnry(f *testing.F) {
	for _, s := range shebangSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := shebangLang(s), enryShebang(s); got != want {
			t.Errorf("shebangLang(%q) = %q; go-enry %q", s, got, want)
		}
	})
}

// enryLanguage is Language as it was, with go-enry's shebang table and
// classifier.
func enryLanguage(content string) string {
	return language(content, enryShebang, func(content string, cands []string) string {
		l, _ := enry.GetLanguageByClassifier([]byte(content), cands)
		return l
	})
}

// agreement compares Language with enryLanguage, and the classifier over
// all cue languages with go-enry's, on texts and on every block Find
// returns in them.
type agreement struct {
	langs, langSame, class, classSame int
	diffs                             []string
}

func (a *agreement) check(t testing.TB, texts ...string) {
	all := slices.Sorted(maps.Keys(langCueSpecs))
	for _, text := range texts {
		snippets := []string{text}
		for _, b := range Find(text) {
			snippets = append(snippets, text[b.Start:b.End])
		}
		for _, s := range snippets {
			a.langs++
			if got, want := Language(s), enryLanguage(s); got == want {
				a.langSame++
			} else if len(a.diffs) < 20 {
				a.diffs = append(a.diffs, fmt.Sprintf("Language %q, go-enry %q: %.200q", got, want, s))
			}
			s = s[:min(len(s), maxLangBytes)]
			a.class++
			got := classifier().classify(s, all)
			if want, _ := enry.GetLanguageByClassifier([]byte(s), all); got == want {
				a.classSame++
			} else if len(a.diffs) < 20 {
				a.diffs = append(a.diffs, fmt.Sprintf("classifier %q, go-enry %q: %.200q", got, want, s))
			}
		}
	}
}

func (a *agreement) report(t *testing.T, corpus string) {
	t.Logf("%s: Language agrees with go-enry on %d of %d snippets; the classifier over all %d cue languages on %d of %d",
		corpus, a.langSame, a.langs, len(langCueSpecs), a.classSame, a.class)
	for _, d := range a.diffs {
		t.Error(d)
	}
	if a.langs == 0 {
		t.Fatal("empty corpus")
	}
}

// windows cuts the files under root with a known extension into windows
// of 15 lines, at most per windows per language.
func windows(root string, per int) []string {
	count := map[string]int{}
	var out []string
	for _, p := range sourcePaths(root) {
		lang := evalExt[filepath.Ext(p)]
		b, err := os.ReadFile(p)
		if err != nil || len(b) > 1<<20 {
			continue
		}
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines) && count[lang] < per; i += 40 {
			out = append(out, strings.Join(lines[i:min(len(lines), i+15)], "\n"))
			count[lang]++
		}
	}
	return out
}

// snippets are the code and prose of this package's and the code
// scanner's tests.
var snippets = []string{
	"What is the capital of France? I need it for my homework, please.",
	"def add(a, b):\n    return a + b\n\nprint(add(1, 2))",
	"Here is code:\n```golang\nx := 1\n```\nThanks.",
	"~~~\n#include <stdio.h>\nint main(void) { return 0; }\n~~~",
	"package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}",
	"#!/usr/bin/env python3\nprint('hi')\n",
	"sudo apt-get update && sudo apt-get install -y curl\ncurl -fsSL https://example.org/x.sh | bash",
	"const fs = require('fs');\nconsole.log(fs.readFileSync('a.txt', 'utf8'));",
	"SELECT name, email FROM users WHERE id = 42;",
	"Use this:\n\ndef f(x):\n    return x * 2\n\nThen call it with a number, and you are done.",
	"```go\npackage main\n\nfunc main() {\n\tprintln(\"hi\")\n}\n```",
	"<!DOCTYPE html>\n<html><head><title id=\"t\" class=\"\">Hi</title><!-- c --></head>\n<body><div class=x>a</div></body></html>",
	"#include <iostream>\nint main() { std::cout << \"hi\" << std::endl; /* c */ return 0x1Fu; }",
	"fn main() { let mut v: Vec<i32> = Vec::new(); println!(\"{}\", 1.5e-3f); }",
	"<?php $x = 1; echo $x; function f($a) { return $a->b(); } ?>",
	"interface A { b: string }\nconst f = (x: number): void => { console.log(x) }",
}

// mixes are synthetic texts: snippets and windows joined, interleaved,
// and salted with shebangs, tags, comments, literals and stray bytes.
func mixes(base []string, n int) []string {
	r := rand.New(rand.NewPCG(15, 116))
	salt := []string{"#!/usr/bin/env foo -x\n", "#!/bin/bash\n", "<div class=\"a\" id=b>", "<!-- x -->", "/* c */", "// c\n", "# c\n", "-- c\n",
		"\"s\"", "'c'", "0x1F ", "3.14e+5f ", "{- h -}", "(* o *)", `"""doc"""`, "'''doc'''", "\xff\xfe", "é ü", "\u00a0", "<<= && || ->"}
	var out []string
	for range n {
		a, b := base[r.IntN(len(base))], base[r.IntN(len(base))]
		switch r.IntN(3) {
		case 0:
			out = append(out, a[:len(a)/2]+b[len(b)/2:])
		case 1:
			la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
			var m []string
			for i := range max(len(la), len(lb)) {
				if i < len(la) {
					m = append(m, la[i])
				}
				if i < len(lb) {
					m = append(m, lb[i])
				}
			}
			out = append(out, strings.Join(m, "\n"))
		default:
			s := a
			for range 1 + r.IntN(4) {
				p := r.IntN(len(s) + 1)
				s = s[:p] + salt[r.IntN(len(salt))] + s[p:]
			}
			out = append(out, s)
		}
	}
	return out
}

// TestLanguageAgreesWithEnry compares Language with its go-enry version on
// this package's snippets, windows of this repository's source, and
// synthetic mixes of both; with LLMSHIELD_EVAL=1 also on the held-out
// corpus of TestHeldOutTable (module cache, npm, Python and C sources,
// prose).
func TestLanguageAgreesWithEnry(t *testing.T) {
	var a agreement
	a.check(t, snippets...)
	a.report(t, "snippets")
	repo := windows(filepath.Join("..", ".."), 60)
	var b agreement
	b.check(t, repo...)
	b.report(t, "repository windows")
	var c agreement
	c.check(t, mixes(append(repo, snippets...), 400)...)
	c.report(t, "synthetic mixes")
	if os.Getenv("LLMSHIELD_EVAL") == "" {
		return
	}
	var texts []string
	for _, s := range heldOut(t) {
		texts = append(texts, s.text)
	}
	var d agreement
	d.check(t, texts...)
	d.report(t, "held-out corpus")
}

func FuzzLanguageAgreesWithEnry(f *testing.F) {
	for _, s := range snippets {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var a agreement
		a.check(t, s)
		for _, d := range a.diffs {
			t.Error(d)
		}
	})
}

func TestParseBayesRejectsBadTables(t *testing.T) {
	good := tokenTables
	for name, bad := range map[string]string{
		"empty":       "",
		"magic":       "x" + good[1:],
		"truncated":   good[:len(good)/2],
		"trailing":    good + "x",
		"no_tokens":   good[:len(tokenMagic)+3],
		"varint_only": tokenMagic + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
	} {
		if _, err := parseBayes(bad); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	b, err := parseBayes(good)
	if err != nil {
		t.Fatal(err)
	}
	if want := slices.Sorted(maps.Keys(langCueSpecs)); !slices.Equal(b.langs, want) {
		t.Errorf("languages %q, want the cue languages %q", b.langs, want)
	}
}

// BenchmarkClassify compares the classifier with go-enry's on one C++
// snippet and all cue languages.
func BenchmarkClassify(b *testing.B) {
	text := snippets[12]
	all := slices.Sorted(maps.Keys(langCueSpecs))
	b.Run("ours", func(b *testing.B) {
		c := classifier()
		b.ReportAllocs()
		for b.Loop() {
			c.classify(text, all)
		}
	})
	b.Run("go-enry", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			enry.GetLanguageByClassifier([]byte(text), all)
		}
	})
}

// BenchmarkParseTokenTables is the one-off cost of the classifier's first
// use: reading linguist_tokens.bin.
func BenchmarkParseTokenTables(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseBayes(tokenTables); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseBayes(f *testing.F) {
	f.Add(tokenTables[:2000])
	f.Add(tokenMagic + "\x01\x02Go")
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := parseBayes(tokenMagic + s); err == nil {
			b.classify("x := 1", b.langs)
		}
	})
}
