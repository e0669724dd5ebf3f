package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestSweepAndOracle(t *testing.T) {
	rows := []scoredRow{
		{pos: true, score: 0.9}, {pos: true, score: 0.6}, {pos: true, score: 0.2},
		{pos: false, score: 0.7}, {pos: false, score: 0.1}, {pos: false, score: 0.0},
	}
	sw := Sweep(rows, []float64{0.5, 0.95})
	p := sw[0]
	if p.TP != 2 || p.FP != 1 || p.TN != 2 || p.FN != 1 || p.Flagged != 3 {
		t.Fatalf("sweep@0.5 counts %+v", p)
	}
	if !near(*p.Precision, 2.0/3) || !near(*p.Recall, 2.0/3) || !near(*p.F1, 2.0/3) || !near(*p.FPR, 1.0/3) {
		t.Errorf("sweep@0.5 rates %v %v %v %v", *p.Precision, *p.Recall, *p.F1, *p.FPR)
	}
	// Nothing flagged: precision undefined, recall 0.
	if q := sw[1]; q.Precision != nil || q.Recall == nil || *q.Recall != 0 || q.F1 == nil || *q.F1 != 0 {
		t.Errorf("sweep@0.95 %+v", q)
	}
	// F1 = 2tp/(2tp+fp+fn) at each cut: >=0.9 2/4; >=0.7 2/5; >=0.6 4/6;
	// >=0.2 6/7 (best); >=0.1 6/8; >=0 6/9.
	o, ok := OracleF1(rows)
	if !ok || o.Threshold != 0.2 || !near(*o.F1, 6.0/7) || o.TP != 3 || o.FP != 1 || o.Note != oracleNote {
		t.Errorf("oracle %+v %v", o, ok)
	}
	if _, ok := OracleF1([]scoredRow{{score: 1}}); ok {
		t.Error("oracle without positives should be undefined")
	}
	g := groupMetrics([]scoredRow{{pos: false, pred: true, score: 1, length: 3}})
	if g.AUC != nil || g.LengthAUC != nil || g.Recall != nil || g.Precision == nil || *g.FPR != 1 {
		t.Errorf("one-class group %+v", g)
	}
}

func TestLabelSets(t *testing.T) {
	ls, err := newLabelSets([]string{"A", "B"}, nil, []string{"N"})
	if err != nil {
		t.Fatal(err)
	}
	for label, want := range map[string][2]bool{"A": {true, true}, "B": {true, true}, "C": {false, true}, "N": {false, false}} {
		if p, k := ls.classify(label); p != want[0] || k != want[1] {
			t.Errorf("classify(%q) = %v,%v; want %v", label, p, k, want)
		}
	}
	ls, _ = newLabelSets([]string{"A"}, []string{"B"}, nil)
	if _, k := ls.classify("C"); k {
		t.Error("with --negative, other labels must be skipped")
	}
	for _, tt := range [][3][]string{
		{nil, nil, nil},
		{{"A"}, {"A"}, nil},
		{{"A"}, nil, {"A"}},
		{{"A"}, {"B"}, {"B"}},
	} {
		if _, err := newLabelSets(tt[0], tt[1], tt[2]); err == nil {
			t.Errorf("%v: want an error", tt)
		}
	}
}

const evalFixture = `{"text":"attack now","label":"BAD","source":"a","lang":"en","task":3}
{"text":"attack again please","label":"BAD","source":"b","lang":"de","task":3}
{"text":"hello","label":"BAD","source":"a","lang":"en","meta":{"k": 1}}

{"text":"hi there friend","label":"GOOD","source":"b","lang":"en"}
{"text":"attack is a word","label":"GOOD","source":"a","lang":"de"}
{"text":"plain text","label":"GOOD","source":"b","lang":"en"}
{"text":"neutral","label":"NEUTRAL","source":"a"}
`

func runEval(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cfg.yaml")
	data := filepath.Join(dir, "d.jsonl")
	if err := os.WriteFile(cfg, []byte("input_scanners:\n  - type: regex\n    params: {patterns: ['attack']}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(data, []byte(evalFixture), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errBuf bytes.Buffer
	full := append([]string{"eval", "--config", cfg, "--dataset", data, "--workers", "2"}, args...)
	c := Main(context.Background(), full, Streams{In: strings.NewReader(""), Out: &out, Err: &errBuf})
	return c, out.String(), errBuf.String()
}

func TestEvalCommandJSON(t *testing.T) {
	c, out, errs := runEval(t, "--positive", "BAD", "--format", "json", "--by", "task,meta", "--thresholds", "0.5")
	if c != 0 {
		t.Fatalf("exit %d: %s", c, errs)
	}
	if strings.Contains(out, "NaN") {
		t.Fatalf("NaN in JSON: %s", out)
	}
	var m EvalMetrics
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	// Regex risk is 1 on a match, else 0. Positives score 1,1,0; negatives
	// (GOOD and NEUTRAL) 0,1,0,0: AUC = (2*3.5 + 1.5) / 12.
	if m.N != 7 || m.TP != 2 || m.FP != 1 || m.FN != 1 || m.TN != 3 || m.Positives != 3 || m.Negatives != 4 || m.Skipped != 0 {
		t.Errorf("counts %+v", m)
	}
	if m.AUC == nil || !near(*m.AUC, 8.5/12) {
		t.Errorf("auc %v", m.AUC)
	}
	// Lengths: positives 10,19,5; negatives 15,16,10,7 -> (1.5+4+0)/12.
	if m.LengthAUC == nil || !near(*m.LengthAUC, 5.5/12) {
		t.Errorf("length_auc %v", m.LengthAUC)
	}
	if len(m.Sweep) != 1 || m.Sweep[0].TP != 2 || m.Sweep[0].FP != 1 {
		t.Errorf("sweep %+v", m.Sweep)
	}
	if m.OracleMaxF1 == nil || m.OracleMaxF1.Threshold != 1 || !near(*m.OracleMaxF1.F1, 4.0/6) {
		t.Errorf("oracle %+v", m.OracleMaxF1)
	}
	lang := m.Breakdowns["lang"]
	if en := lang["en"]; en.N != 4 || en.AUC == nil || !near(*en.AUC, 0.75) {
		t.Errorf("lang en %+v", en)
	}
	if de := lang["de"]; de.AUC == nil || *de.AUC != 0.5 {
		t.Errorf("lang de %+v", de)
	}
	if none := lang["(none)"]; none.N != 1 || none.AUC != nil || none.Recall != nil {
		t.Errorf("lang (none) %+v", none)
	}
	if s := m.Breakdowns["source"]; s["a"].N != 4 || s["b"].N != 3 {
		t.Errorf("source %+v", s)
	}
	if task := m.Breakdowns["task"]; task["3"].N != 2 || task["(none)"].N != 5 {
		t.Errorf("task %+v", task)
	}
	if meta := m.Breakdowns["meta"]; meta[`{"k":1}`].N != 1 {
		t.Errorf("meta %+v", meta)
	}
	if len(m.Breakdowns["file"]) != 1 {
		t.Errorf("file %+v", m.Breakdowns["file"])
	}
	// The old keys stay.
	var raw map[string]any
	_ = json.Unmarshal([]byte(out), &raw)
	for _, k := range []string{"n", "tp", "fp", "tn", "fn", "precision", "recall", "f1", "fpr", "accuracy", "p50_ms", "p99_ms", "auc", "length_auc"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
}

func TestEvalCommandLabels(t *testing.T) {
	for _, args := range [][]string{
		{"--positive", "BAD", "--negative", "GOOD"},
		{"--positive", "BAD", "--ignore-label", "NEUTRAL"},
	} {
		c, out, errs := runEval(t, append(args, "--format", "json")...)
		if c != 0 {
			t.Fatalf("%v: exit %d: %s", args, c, errs)
		}
		var m EvalMetrics
		_ = json.Unmarshal([]byte(out), &m)
		// Negatives 0,1,0: each scoring positive beats 2 and ties 1; the
		// unflagged one ties 2 -> (2.5+2.5+1)/9.
		if m.N != 6 || m.Skipped != 1 || m.AUC == nil || !near(*m.AUC, 6.0/9) {
			t.Errorf("%v: n %d skipped %d auc %v", args, m.N, m.Skipped, m.AUC)
		}
	}
	// Several positive labels, repeated and comma-separated.
	c, out, _ := runEval(t, "--positive", "BAD,NEUTRAL", "--format", "json")
	var m EvalMetrics
	_ = json.Unmarshal([]byte(out), &m)
	if c != 0 || m.Positives != 4 || len(m.PositiveLabels) != 2 {
		t.Errorf("comma-separated --positive: exit %d %+v", c, m)
	}
	c, out, _ = runEval(t, "--positive", "BAD", "--positive", "NEUTRAL", "--format", "json")
	m = EvalMetrics{}
	_ = json.Unmarshal([]byte(out), &m)
	if c != 0 || m.Positives != 4 {
		t.Errorf("repeated --positive: exit %d %+v", c, m)
	}
}

func TestEvalCommandText(t *testing.T) {
	c, out, errs := runEval(t, "--positive", "BAD")
	if c != 0 {
		t.Fatalf("exit %d: %s", c, errs)
	}
	for _, want := range []string{"auc 0.7083  (text length alone: auc 0.4583)", oracleNote, "by lang", "by source", "by file", "sweep: flag risk >= threshold"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalCommandErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--positive"},
		{[]string{"--positive", "BAD", "--negative", "BAD"}, "--negative"},
		{[]string{"--positive", "BAD", "--by", "nosuchfield"}, "--by"},
		{[]string{"--positive", "BAD", "--thresholds", "1.5"}, "--thresholds"},
		{[]string{"--positive", "NOPE", "--negative", "NOPE2"}, "no rows"},
		{[]string{"--positive", "BAD", "--format", "xml"}, "--format"},
	} {
		c, _, errs := runEval(t, tt.args...)
		if c != ExitError || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tt.args, c, errs, tt.want)
		}
	}
}

func TestReadEvalRowsErrors(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"malformed": "{\"text\":\"a\",\"label\":\"X\"}\n{not json}\n",
		"nolabel":   "{\"text\":\"a\"}\n",
		"empty":     "\n\n",
	} {
		p := filepath.Join(dir, name)
		_ = os.WriteFile(p, []byte(body), 0o600)
		if _, err := readEvalRows(p); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}
