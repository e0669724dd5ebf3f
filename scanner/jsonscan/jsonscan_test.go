package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestFind(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"bare_object", `Here you go: {"a": 1, "b": {"c": [1, 2]}} done.`, []string{`{"a": 1, "b": {"c": [1, 2]}}`}},
		{"bare_array", `List: [{"id": 1}, {"id": 2}]`, []string{`[{"id": 1}, {"id": 2}]`}},
		{"two", `{"a":1} and {"b":2}`, []string{`{"a":1}`, `{"b":2}`}},
		{"brackets_in_strings", `{"s": "a } ] { ["}`, []string{`{"s": "a } ] { ["}`}},
		{"escaped_quote", `{"s": "say \"}\" now"} tail`, []string{`{"s": "say \"}\" now"}`}},
		{"truncated", `Result: {"a": [1, 2`, []string{`{"a": [1, 2`}},
		{"fenced_json", "Sure:\n```json\n{\"name\": \"x\",}\n```\nBye", []string{`{"name": "x",}`}},
		{"fenced_untagged", "~~~\n[1, 2, 3]\n~~~", []string{`[1, 2, 3]`}},
		{"fenced_other_lang_skipped", "```python\nd = {\"a\": 1}\n```\n", nil},
		{"fenced_unclosed", "```json\n{\"a\": 1}\n", []string{`{"a": 1}`}},
		{"prose_braces", "Use {name} as a placeholder, see [1] and - [ ] todo, {} and [].", nil},
		{"mismatch", `{"a": ] rest`, []string{`{"a": `}},
		{"single_quotes", `{'a': 1}`, []string{`{'a': 1}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, k := range Find(c.text) {
				got = append(got, c.text[k.Start:k.End])
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestScan(t *testing.T) {
	cases := []struct {
		name      string
		cfg       Config
		text      string
		valid     bool
		sanitized string
		rules     []string
	}{
		{"valid", Config{}, `{"a": 1}`, true, `{"a": 1}`, nil},
		{"no_json_nothing_required", Config{}, "Plain prose.", true, "Plain prose.", nil},
		{"no_json_required", Config{RequiredElements: 1}, "Plain prose.", false, "Plain prose.", []string{RuleRequired}},
		{"enough", Config{RequiredElements: 2}, `{"a":1} {"b":2}`, true, `{"a":1} {"b":2}`, nil},
		{"too_few", Config{RequiredElements: 3}, `{"a":1} {"b":2}`, false, `{"a":1} {"b":2}`, []string{RuleRequired}},
		{"invalid", Config{}, `Answer: {"a": 1,}`, false, `Answer: {"a": 1,}`, []string{RuleInvalid}},
		{"over_budget", Config{Repair: true, MaxRepairBytes: 5}, `{"a": 1,}`, false, `{"a": 1,}`, []string{RuleInvalid}},
		{"budget_shared", Config{Repair: true, MaxRepairBytes: 12}, `{"a": 1,} {"b": 2,}`, false, `{"a": 1} {"b": 2,}`, []string{RuleInvalid}},
		{"repaired", Config{Repair: true, RequiredElements: 1, MaxRepairBytes: 100}, "Answer: {'a': 1, b: True,} ok", true, `Answer: {"a": 1, "b": true} ok`, nil},
		{"repaired_truncated_fence", Config{Repair: true, MaxRepairBytes: 100}, "```json\n{\"a\": [1, 2\n```", true, "```json\n{\"a\": [1, 2]}\n```", nil},
		{"one_good_one_bad", Config{RequiredElements: 1}, `{"a":1} then {"b":}`, false, `{"a":1} then {"b":}`, []string{RuleInvalid}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scannertest.Must(t, New, c.cfg)
			res := scannertest.Check(t, s, scannertest.Answer(c.text))
			var rules []string
			for _, f := range res.Findings {
				rules = append(rules, f.Rule)
			}
			if res.Valid != c.valid || res.Sanitized != c.sanitized {
				t.Errorf("valid %v sanitized %q, want %v %q", res.Valid, res.Sanitized, c.valid, c.sanitized)
			}
			if d := cmp.Diff(c.rules, rules); d != "" {
				t.Errorf("rules (-want +got):\n%s", d)
			}
			if c.valid == (res.Risk != 0) {
				t.Errorf("risk %v with valid %v", res.Risk, res.Valid)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	if _, err := New(Config{RequiredElements: -1}); err == nil || !strings.Contains(err.Error(), "required_elements") {
		t.Errorf("err %v, want one naming required_elements", err)
	}
	if _, err := New(Config{Repair: true}); err == nil || !strings.Contains(err.Error(), "max_repair_bytes") {
		t.Errorf("err %v, want one naming max_repair_bytes", err)
	}
	scannertest.DecodesYAML(t, DefaultConfig(), "required_elements: 2\nrepair: true\n", Config{RequiredElements: 2, Repair: true, MaxRepairBytes: 8192})
	scannertest.FingerprintsDiffer(t, New, Config{RequiredElements: 1, MaxRepairBytes: 10}, Config{RequiredElements: 1, Repair: true, MaxRepairBytes: 10},
		Config{RequiredElements: 2, MaxRepairBytes: 10}, Config{RequiredElements: 1, Repair: true, MaxRepairBytes: 20})
}

func TestConformance(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), {RequiredElements: 1, Repair: true, MaxRepairBytes: 8192}} {
		s := scannertest.Must(t, New, cfg)
		scannertest.Run(t, s, scannertest.WithInputs(`{"a": 1,}`, "```json\n{'x': [1, 2\n```", `[{"a": 1}, {"b": 2}]`, strings.Repeat(`{"k": [`, 5000)))
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{`{"a": 1}`, "```json\n{'x': [1, 2\n```", `{"s": "\"}"}`, `[{"a"`, "{'a': None}", "~~~\n[1]\n~~~"} {
		f.Add(s)
	}
	s := scannertest.Must(f, New, Config{Repair: true, RequiredElements: 1, MaxRepairBytes: 4096})
	f.Fuzz(func(t *testing.T, text string) {
		for _, c := range Find(text) {
			if c.Start < 0 || c.End > len(text) || c.Start >= c.End {
				t.Fatalf("candidate %+v outside text of %d bytes", c, len(text))
			}
		}
		res := scannertest.Check(t, s, scannertest.Answer(text))
		if res.Valid {
			// Every candidate of a valid answer is valid JSON after repair.
			for _, c := range Find(res.Sanitized) {
				if doc := res.Sanitized[c.Start:c.End]; !json.Valid([]byte(doc)) && !strings.Contains(text, doc) {
					t.Fatalf("valid answer's sanitized text holds invalid JSON %q", doc)
				}
			}
		}
	})
}

func BenchmarkScan(b *testing.B) {
	text := strings.Repeat("The answer is below, as requested by the user. ", 8) + "\n" +
		"```json\n{\"name\": \"Ada\", \"skills\": [\"math\", \"code\"], \"age\": 36, \"address\": {\"city\": \"London\", \"zip\": \"N1\"}}\n```\n" +
		"And a broken one: {'id': 7, 'tags': ['a', 'b',], 'ok': True,} " + strings.Repeat("Thanks for reading. ", 25)
	text = text[:1024]
	for _, cfg := range []Config{{RequiredElements: 1}, {RequiredElements: 1, Repair: true, MaxRepairBytes: 8192}} {
		s, _ := New(cfg)
		name := "validate"
		if cfg.Repair {
			name = "repair"
		}
		b.Run(name+"/1KB", func(b *testing.B) {
			scannertest.Bench(b, s, scannertest.Answer(text))
		})
	}
}
