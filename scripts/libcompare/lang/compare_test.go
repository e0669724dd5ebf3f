// Package lang compares whatlanggo and lingua-go on texts neither trained
// on (training/work/lang_eval.jsonl, written by
// training/gibberish/lang_eval.py): accuracy per language for short
// (< 50 characters) and long texts.
//
//	cd scripts/libcompare && go test ./lang -run TestCompare -v -timeout 60m
package lang

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
	"github.com/pemistahl/lingua-go"
)

type row struct{ Source, Lang, Text string }

func load(t *testing.T) []row {
	f, err := os.Open("../../../training/work/lang_eval.jsonl")
	if err != nil {
		t.Skip("training/work/lang_eval.jsonl absent")
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		var r row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	return rows
}

type acc struct{ n, ok int }

func (a acc) String() string {
	if a.n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%% (%d)", 100*float64(a.ok)/float64(a.n), a.n)
}

func TestCompare(t *testing.T) {
	rows := load(t)
	li := lingua.NewLanguageDetectorBuilder().FromAllLanguages().Build()
	type key struct {
		lang  string
		short bool
	}
	res := map[string]map[key]*acc{"whatlanggo": {}, "lingua": {}}
	dur := map[string]time.Duration{}
	for _, r := range rows {
		short := utf8.RuneCountInString(r.Text) < 50
		st := time.Now()
		w := whatlanggo.Detect(r.Text).Lang.Iso6391()
		dur["whatlanggo"] += time.Since(st)
		st = time.Now()
		l := ""
		if lang, ok := li.DetectLanguageOf(r.Text); ok {
			l = strings.ToLower(lang.IsoCode639_1().String())
		}
		dur["lingua"] += time.Since(st)
		for name, got := range map[string]string{"whatlanggo": w, "lingua": l} {
			for _, k := range []key{{r.Lang, short}, {"ALL", short}} {
				a := res[name][k]
				if a == nil {
					a = &acc{}
					res[name][k] = a
				}
				a.n++
				if got == r.Lang {
					a.ok++
				}
			}
		}
	}
	langs := map[string]bool{}
	for k := range res["whatlanggo"] {
		langs[k.lang] = true
	}
	ls := slices.Sorted(maps.Keys(langs))
	var b strings.Builder
	b.WriteString("\n| lang | whatlanggo short | lingua short | whatlanggo long | lingua long |\n|---|---|---|---|---|\n")
	for _, l := range ls {
		g := func(n string, s bool) string {
			if a := res[n][key{l, s}]; a != nil {
				return a.String()
			}
			return "-"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", l, g("whatlanggo", true), g("lingua", true), g("whatlanggo", false), g("lingua", false))
	}
	fmt.Fprintf(&b, "\ntime per text: whatlanggo %v, lingua %v (%d texts)\n", dur["whatlanggo"]/time.Duration(len(rows)), dur["lingua"]/time.Duration(len(rows)), len(rows))
	t.Log(b.String())
}
