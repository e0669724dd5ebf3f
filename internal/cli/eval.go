package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/internal/binclass"
	"github.com/llmshield/llmshield/internal/datasplit"
)

// evalRow is one dataset line. Fields other than text, label and source
// are kept (as raw JSON) for --by breakdowns.
type evalRow struct {
	Text   string `json:"text"`
	Label  string `json:"label"`
	Source string `json:"source"`
	fields map[string]json.RawMessage
}

// field returns the row's value of a JSON field as a breakdown key: a
// string unquoted, any other value as compact JSON, "(none)" when absent
// or null.
func (r evalRow) field(name string) string {
	raw, ok := r.fields[name]
	if !ok || string(raw) == "null" {
		return "(none)"
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String()
	}
	return string(raw)
}

// EvalMetrics is `llmshield eval`'s JSON contract. The first keys (n …
// p99_ms) are the pipeline's verdicts over all rows; the keys after them
// were added later and are documented in the command's help. Undefined
// values (an AUC without positives or negatives) are null, never NaN.
type EvalMetrics struct {
	N         int     `json:"n"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	TN        int     `json:"tn"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	FPR       float64 `json:"fpr"`
	Accuracy  float64 `json:"accuracy"`
	P50MS     float64 `json:"p50_ms"`
	P99MS     float64 `json:"p99_ms"`

	PositiveLabels []string `json:"positive_labels,omitempty"`
	NegativeLabels []string `json:"negative_labels,omitempty"`
	IgnoredLabels  []string `json:"ignored_labels,omitempty"`
	Positives      int      `json:"positives"`
	Negatives      int      `json:"negatives"`
	// Skipped counts rows left out for their label (--ignore-label, or
	// labels outside --positive/--negative when --negative is given).
	Skipped   int      `json:"skipped"`
	AUC       *float64 `json:"auc"`
	LengthAUC *float64 `json:"length_auc"`
	// Sweep flags rows with risk >= threshold for each --thresholds value.
	Sweep []SweepPoint `json:"sweep,omitempty"`
	// OracleMaxF1 is the risk threshold with the best F1 on these rows.
	OracleMaxF1 *SweepPoint `json:"oracle_max_f1,omitempty"`
	// Breakdowns maps a dimension ("file", "source", "lang", each --by
	// field) to its groups by value.
	Breakdowns map[string]map[string]GroupMetrics `json:"breakdowns,omitempty"`
}

// metricsOf derives precision, recall and the rest (latencies not included).
func metricsOf(c binclass.Confusion) EvalMetrics {
	return EvalMetrics{
		N: c.N(), TP: c.TP, FP: c.FP, TN: c.TN, FN: c.FN,
		Precision: c.Precision(), Recall: c.Recall(), F1: c.F1(),
		FPR:      c.FPR(),
		Accuracy: binclass.Ratio(c.TP+c.TN, c.N()),
	}
}

func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return ms(sorted[max(0, min(i, len(sorted)-1))])
}

// defaultSweep are the risk thresholds of the sweep unless --thresholds
// says otherwise.
var defaultSweep = []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95}

// labelSets says which labels are positive, negative (nil: every other
// label) and left out.
type labelSets struct {
	pos, neg, ignore map[string]bool
}

func cleanList(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func newLabelSets(pos, neg, ignore []string) (labelSets, error) {
	set := func(vs []string) map[string]bool {
		m := map[string]bool{}
		for _, v := range vs {
			m[v] = true
		}
		return m
	}
	ls := labelSets{pos: set(pos), ignore: set(ignore)}
	if len(pos) == 0 {
		return ls, errors.New("--positive: at least one label is required")
	}
	if len(neg) > 0 {
		ls.neg = set(neg)
	}
	for _, l := range pos {
		if ls.neg[l] {
			return ls, fmt.Errorf("--negative: label %q is also a --positive label", l)
		}
		if ls.ignore[l] {
			return ls, fmt.Errorf("--ignore-label: label %q is also a --positive label", l)
		}
	}
	for _, l := range neg {
		if ls.ignore[l] {
			return ls, fmt.Errorf("--ignore-label: label %q is also a --negative label", l)
		}
	}
	return ls, nil
}

// classify says whether a row with this label is positive, and whether it
// is evaluated at all.
func (ls labelSets) classify(label string) (positive, keep bool) {
	switch {
	case ls.pos[label]:
		return true, true
	case ls.ignore[label]:
		return false, false
	case ls.neg != nil:
		return false, ls.neg[label]
	default:
		return false, true
	}
}

func (a *app) evalCommand() *cobra.Command {
	var (
		datasets, positive, negative, ignore, by []string
		cfgPath, scanners, format, split         string
		thresholds                               []float64
		workers                                  int
	)
	cmd := &cobra.Command{
		Use:   "eval --dataset F.jsonl --positive LABEL",
		Short: "Measure detection quality on a labelled JSONL dataset",
		Long: `Run the input pipeline on every {"text","label"} line of the dataset(s) and compare
the verdicts with the labels (with --split, only the rows of that split, by the
training pipeline's hash rule, so the built-in models are measured on unseen rows).
Several --dataset flags are evaluated as one set.

Labels: a row is positive when its label is one of --positive (repeatable or
comma-separated). Without --negative every other label is negative; with it, only
--negative labels are, and rows with other labels are skipped. Rows whose label is
in --ignore-label are always skipped. Example (binary sentiment, neutral rows out):
  --positive NEGATIVE --negative POSITIVE

A row is predicted positive when the pipeline flags it; its score is the
pipeline's risk (the highest risk any scanner reported).

Output (text, or one JSON object with --format json):
  n tp fp tn fn precision recall f1 fpr accuracy   the pipeline's verdicts
                                     (fpr = false-positive rate on negatives)
  p50_ms p99_ms                      per-text latency
  positive_labels negative_labels ignored_labels   the label sets used
  positives negatives skipped        row counts (skipped: left out for the label)
  auc                                ROC AUC of the risk score (ties count 1/2);
                                     null when a class is empty
  length_auc                         ROC AUC of the text length in runes alone
                                     (longer = more positive): far from 0.5 means
                                     length alone separates the classes
  sweep                              [{threshold flagged tp fp tn fn precision recall
                                     f1 fpr}] flagging risk >= threshold, for each
                                     --thresholds value
  oracle_max_f1                      the risk threshold with the best F1 on these very
                                     rows: oracle, for information; never use it to
                                     pick a shipped threshold
  breakdowns                         {dimension: {value: {n positives negatives tp fp
                                     tn fn precision recall f1 fpr accuracy auc
                                     length_auc}}} for "file", "source", "lang" (when
                                     any row has a lang field) and each --by field
Rates that are undefined in a group (no positives, no negatives) are null in
JSON and "-" in text. --by takes any JSONL field (e.g. lang, domain,
bipia_task); string values are used as they are, other values as JSON, a
missing field as "(none)".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			positive, negative, ignore, by = cleanList(positive), cleanList(negative), cleanList(ignore), cleanList(by)
			if len(datasets) == 0 {
				return errors.New("--dataset is required")
			}
			labels, err := newLabelSets(positive, negative, ignore)
			if err != nil {
				return err
			}
			if err := checkFormat(format); err != nil {
				return err
			}
			for _, t := range thresholds {
				if math.IsNaN(t) || t < 0 || t > 1 {
					return fmt.Errorf("--thresholds: %v is not in [0,1]", t)
				}
			}
			if split, err = datasplit.Parse(split); err != nil {
				return fmt.Errorf("--split: %w", err)
			}
			sh, err := a.buildShield(cmd, cfgPath, scanners)
			if err != nil {
				return err
			}
			defer sh.Close()
			var (
				all     []scoredRow
				lat     []time.Duration
				skipped int
				hasLang bool
			)
			dims := []string{"file", "source"}
			for _, f := range by {
				if !slices.Contains(dims, f) {
					dims = append(dims, f)
				}
			}
			// lang is grouped always and shown when some row has it.
			groupDims := dims
			if !slices.Contains(dims, "lang") {
				groupDims = append(slices.Clip(dims), "lang")
			}
			groups := map[string]map[string][]scoredRow{}
			seen := map[string]bool{}
			for _, path := range datasets {
				rows, err := readEvalRows(path)
				if err != nil {
					return err
				}
				rows = slices.DeleteFunc(rows, func(r evalRow) bool {
					if split != "" && datasplit.Of(r.Text) != split {
						return true
					}
					if _, keep := labels.classify(r.Label); !keep {
						skipped++
						return true
					}
					return false
				})
				if len(rows) == 0 {
					continue
				}
				preds, risks, durs, err := evalRows(cmd.Context(), sh.Shield, rows, workers)
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				lat = append(lat, durs...)
				for i, row := range rows {
					pos, _ := labels.classify(row.Label)
					sr := scoredRow{pos: pos, pred: preds[i], score: risks[i], length: float64(utf8.RuneCountInString(row.Text))}
					all = append(all, sr)
					if _, ok := row.fields["lang"]; ok {
						hasLang = true
					}
					for name := range row.fields {
						seen[name] = true
					}
					for _, d := range groupDims {
						v := path
						if d != "file" {
							v = row.field(d)
						}
						if groups[d] == nil {
							groups[d] = map[string][]scoredRow{}
						}
						groups[d][v] = append(groups[d][v], sr)
					}
				}
			}
			if len(all) == 0 {
				return errors.New("no rows to evaluate (check --split, --negative and --ignore-label)")
			}
			for _, f := range by {
				if !seen[f] {
					return fmt.Errorf("--by: no evaluated row has a %q field", f)
				}
			}
			if hasLang && !slices.Contains(dims, "lang") {
				dims = append(dims, "lang")
			}
			slices.Sort(lat)
			var c binclass.Confusion
			for _, r := range all {
				c.Add(r.pos, r.pred)
			}
			m := metricsOf(c)
			m.P50MS, m.P99MS = percentile(lat, 0.50), percentile(lat, 0.99)
			m.PositiveLabels, m.NegativeLabels, m.IgnoredLabels = positive, negative, ignore
			m.Positives, m.Negatives, m.Skipped = c.TP+c.FN, c.TN+c.FP, skipped
			m.AUC, m.LengthAUC = aucs(all)
			m.Sweep = Sweep(all, thresholds)
			if o, ok := OracleF1(all); ok {
				m.OracleMaxF1 = &o
			}
			m.Breakdowns = map[string]map[string]GroupMetrics{}
			for _, d := range dims {
				m.Breakdowns[d] = map[string]GroupMetrics{}
				for v, rows := range groups[d] {
					m.Breakdowns[d][v] = groupMetrics(rows)
				}
			}
			if format == "json" {
				return json.NewEncoder(a.streams.Out).Encode(m)
			}
			writeEvalText(a.streams.Out, m, dims)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&datasets, "dataset", nil, "JSONL file of {\"text\",\"label\"} rows (repeatable)")
	fl.StringSliceVar(&positive, "positive", nil, "label(s) that count as positive (repeatable or comma-separated, e.g. INJECTION)")
	fl.StringSliceVar(&negative, "negative", nil, "label(s) that count as negative; rows with other labels are skipped (default: every non-positive label is negative)")
	fl.StringSliceVar(&ignore, "ignore-label", nil, "label(s) whose rows are skipped")
	fl.StringSliceVar(&by, "by", nil, "also break the figures down by this JSONL field (repeatable or comma-separated, e.g. lang,domain)")
	fl.Float64SliceVar(&thresholds, "thresholds", defaultSweep, "risk thresholds of the sweep (comma-separated, each in [0,1])")
	fl.StringVar(&cfgPath, "config", "", "configuration file (default: the embedded default)")
	fl.StringVar(&scanners, "scanners", "", "comma-separated scanners to run (default: those in the configuration)")
	fl.StringVar(&format, "format", "text", "output format: text or json")
	fl.StringVar(&split, "split", "", "only rows of this split (train, val or test) by the training pipeline's hash rule")
	fl.IntVar(&workers, "workers", runtime.GOMAXPROCS(0), "texts scanned concurrently")
	return cmd
}

func fmtOpt(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.4f", *v)
}

func writeEvalText(w io.Writer, m EvalMetrics, dims []string) {
	fmt.Fprintf(w, "positive labels %s", strings.Join(m.PositiveLabels, ","))
	if len(m.NegativeLabels) > 0 {
		fmt.Fprintf(w, "  negative labels %s", strings.Join(m.NegativeLabels, ","))
	}
	if len(m.IgnoredLabels) > 0 {
		fmt.Fprintf(w, "  ignored labels %s", strings.Join(m.IgnoredLabels, ","))
	}
	fmt.Fprintf(w, "  (positives %d, negatives %d, skipped %d)\n", m.Positives, m.Negatives, m.Skipped)
	fmt.Fprintf(w, "n %d  tp %d  fp %d  tn %d  fn %d\n", m.N, m.TP, m.FP, m.TN, m.FN)
	fmt.Fprintf(w, "precision %.4f  recall %.4f  f1 %.4f  fpr %.4f  accuracy %.4f\n", m.Precision, m.Recall, m.F1, m.FPR, m.Accuracy)
	fmt.Fprintf(w, "auc %s  (text length alone: auc %s)\n", fmtOpt(m.AUC), fmtOpt(m.LengthAUC))
	fmt.Fprintf(w, "latency p50 %.3f ms  p99 %.3f ms\n", m.P50MS, m.P99MS)
	if len(m.Sweep) > 0 {
		fmt.Fprintf(w, "\nsweep: flag risk >= threshold\n%9s %7s %8s %8s %8s %8s\n", "threshold", "flagged", "precision", "recall", "f1", "fpr")
		for _, p := range m.Sweep {
			fmt.Fprintf(w, "%9.4g %7d %8s %8s %8s %8s\n", p.Threshold, p.Flagged, fmtOpt(p.Precision), fmtOpt(p.Recall), fmtOpt(p.F1), fmtOpt(p.FPR))
		}
	}
	if o := m.OracleMaxF1; o != nil {
		fmt.Fprintf(w, "max-F1 threshold %.4g: precision %s recall %s f1 %s fpr %s\n  (%s)\n",
			o.Threshold, fmtOpt(o.Precision), fmtOpt(o.Recall), fmtOpt(o.F1), fmtOpt(o.FPR), o.Note)
	}
	for _, d := range dims {
		g := m.Breakdowns[d]
		keys := make([]string, 0, len(g))
		width := len(d) + 3
		for k := range g {
			keys = append(keys, k)
			width = max(width, min(utf8.RuneCountInString(k), 64))
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "\n%-*s %6s %6s %6s %8s %8s %8s %8s %8s %8s\n", width, "by "+d, "n", "pos", "neg", "precision", "recall", "fpr", "f1", "auc", "len-auc")
		for _, k := range keys {
			x := g[k]
			fmt.Fprintf(w, "%-*s %6d %6d %6d %8s %8s %8s %8s %8s %8s\n", width, k, x.N, x.Positives, x.Negatives,
				fmtOpt(x.Precision), fmtOpt(x.Recall), fmtOpt(x.FPR), fmtOpt(x.F1), fmtOpt(x.AUC), fmtOpt(x.LengthAUC))
		}
	}
}

// readEvalRows reads an eval dataset: every row needs a label.
func readEvalRows(path string) ([]evalRow, error) {
	return readJSONL(path, func(line []byte) (evalRow, error) {
		var row evalRow
		if err := json.Unmarshal(line, &row); err != nil {
			return row, err
		}
		if err := json.Unmarshal(line, &row.fields); err != nil {
			return row, err
		}
		if row.Label == "" {
			return row, errors.New(`missing "label"`)
		}
		return row, nil
	})
}

// evalRows scans rows with a pool of workers and returns, per row, whether
// the pipeline flagged it, its risk and how long it took. A scanner error fails the
// evaluation: metrics over partly failed scans would mislead.
func evalRows(ctx context.Context, sh *llmshield.Shield, rows []evalRow, workers int) ([]bool, []float64, []time.Duration, error) {
	workers = max(1, workers)
	preds := make([]bool, len(rows))
	risks := make([]float64, len(rows))
	durs := make([]time.Duration, len(rows))
	next := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				start := time.Now()
				rep, err := sh.ScanPrompt(ctx, rows[i].Text)
				durs[i] = time.Since(start)
				if err == nil {
					err = rep.Err()
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("row %d: %w", i+1, err)
					}
					mu.Unlock()
				}
				preds[i], risks[i] = !rep.Valid, rep.Risk
			}
		}()
	}
	for i := range rows {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, nil, nil, firstErr
	}
	return preds, risks, durs, ctx.Err()
}
