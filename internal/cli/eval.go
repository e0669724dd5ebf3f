package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/internal/datasplit"
)

type evalRow struct {
	Text   string `json:"text"`
	Label  string `json:"label"`
	Source string `json:"source"`
}

// Confusion counts a binary classifier's outcomes.
type Confusion struct{ TP, FP, TN, FN int }

// Add counts one prediction.
func (c *Confusion) Add(positive, predicted bool) {
	switch {
	case positive && predicted:
		c.TP++
	case positive:
		c.FN++
	case predicted:
		c.FP++
	default:
		c.TN++
	}
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// EvalMetrics is `llmshield eval`'s JSON contract.
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
}

// Metrics derives precision, recall and the rest (latencies not included).
func (c Confusion) Metrics() EvalMetrics {
	p := safeDiv(float64(c.TP), float64(c.TP+c.FP))
	r := safeDiv(float64(c.TP), float64(c.TP+c.FN))
	return EvalMetrics{
		N: c.TP + c.FP + c.TN + c.FN, TP: c.TP, FP: c.FP, TN: c.TN, FN: c.FN,
		Precision: p, Recall: r, F1: safeDiv(2*p*r, p+r),
		FPR:      safeDiv(float64(c.FP), float64(c.FP+c.TN)),
		Accuracy: safeDiv(float64(c.TP+c.TN), float64(c.TP+c.FP+c.TN+c.FN)),
	}
}

func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return ms(sorted[max(0, min(i, len(sorted)-1))])
}

func (a *app) evalCommand() *cobra.Command {
	var (
		datasets                            []string
		positive, cfgPath, scanners, format string
		split                               string
		workers                             int
	)
	cmd := &cobra.Command{
		Use:   "eval --dataset F.jsonl --positive LABEL",
		Short: "Measure detection quality on a labelled JSONL dataset",
		Long: `Run the input pipeline on every {"text","label"} line of the dataset(s) and compare
the verdicts with the labels (with --split, only the rows of that split, by the
training pipeline's hash rule, so the built-in models are measured on unseen rows): a row is positive when its label equals --positive, and
predicted positive when the pipeline flags it. Prints n, tp, fp, tn, fn, precision,
recall, f1, fpr (false-positive rate on negatives), accuracy, p50_ms and p99_ms
(per-text latency). Several --dataset flags are evaluated as one set; the text
format also breaks the counts down by dataset file and by "source".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(datasets) == 0 || positive == "" {
				return errors.New("--dataset and --positive are required")
			}
			if format != "text" && format != "json" {
				return fmt.Errorf("--format: want text or json, got %q", format)
			}
			var err error
			if split, err = datasplit.Parse(split); err != nil {
				return fmt.Errorf("--split: %w", err)
			}
			if err := checkScannersFlag(cmd, scanners); err != nil {
				return err
			}
			sh, err := a.buildShield(cmd.Context(), cfgPath, scanners)
			if err != nil {
				return err
			}
			defer sh.Close()
			var all Confusion
			byGroup := map[string]*Confusion{}
			var lat []time.Duration
			for _, path := range datasets {
				rows, err := readEvalRows(path)
				if err != nil {
					return err
				}
				if split != "" {
					rows = slices.DeleteFunc(rows, func(r evalRow) bool { return datasplit.Of(r.Text) != split })
					if len(rows) == 0 {
						continue
					}
				}
				preds, durs, err := evalRows(cmd.Context(), sh, rows, workers)
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				lat = append(lat, durs...)
				for i, row := range rows {
					pos := row.Label == positive
					all.Add(pos, preds[i])
					for _, k := range []string{"file " + path, "source " + row.Source} {
						if byGroup[k] == nil {
							byGroup[k] = &Confusion{}
						}
						byGroup[k].Add(pos, preds[i])
					}
				}
			}
			slices.Sort(lat)
			m := all.Metrics()
			m.P50MS, m.P99MS = percentile(lat, 0.50), percentile(lat, 0.99)
			if format == "json" {
				return json.NewEncoder(a.streams.Out).Encode(m)
			}
			w := a.streams.Out
			fmt.Fprintf(w, "n %d  tp %d  fp %d  tn %d  fn %d\n", m.N, m.TP, m.FP, m.TN, m.FN)
			fmt.Fprintf(w, "precision %.4f  recall %.4f  f1 %.4f  fpr %.4f  accuracy %.4f\n", m.Precision, m.Recall, m.F1, m.FPR, m.Accuracy)
			fmt.Fprintf(w, "latency p50 %.3f ms  p99 %.3f ms\n", m.P50MS, m.P99MS)
			keys := make([]string, 0, len(byGroup))
			for k := range byGroup {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			fmt.Fprintf(w, "\n%-72s %6s %6s %6s %8s %8s %8s\n", "breakdown", "n", "pos", "neg", "recall", "fpr", "f1")
			for _, k := range keys {
				g := byGroup[k].Metrics()
				fmt.Fprintf(w, "%-72s %6d %6d %6d %8s %8s %8s\n", k, g.N, g.TP+g.FN, g.TN+g.FP,
					orDash(g.TP+g.FN, g.Recall), orDash(g.TN+g.FP, g.FPR), orDash(min(g.TP+g.FN, g.TN+g.FP), g.F1))
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&datasets, "dataset", nil, "JSONL file of {\"text\",\"label\"} rows (repeatable)")
	fl.StringVar(&positive, "positive", "", "the label that counts as positive (e.g. INJECTION)")
	fl.StringVar(&cfgPath, "config", "", "configuration file (default: the embedded default)")
	fl.StringVar(&scanners, "scanners", "", "comma-separated scanners to run (default: those in the configuration)")
	fl.StringVar(&format, "format", "text", "output format: text or json")
	fl.StringVar(&split, "split", "", "only rows of this split (train, val or test) by the training pipeline's hash rule")
	fl.IntVar(&workers, "workers", runtime.GOMAXPROCS(0), "texts scanned concurrently")
	return cmd
}

func orDash(n int, v float64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.4f", v)
}

func readEvalRows(path string) ([]evalRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []evalRow
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && len(bytesTrim(line)) > 0 {
			var row evalRow
			if jerr := json.Unmarshal(line, &row); jerr != nil {
				return nil, fmt.Errorf("%s: line %d: %w", path, n, jerr)
			}
			if row.Label == "" {
				return nil, fmt.Errorf("%s: line %d: missing \"label\"", path, n)
			}
			rows = append(rows, row)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	return rows, nil
}

func bytesTrim(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// evalRows scans rows with a pool of workers and returns, per row, whether
// the pipeline flagged it and how long it took. A scanner error fails the
// evaluation: metrics over partly failed scans would mislead.
func evalRows(ctx context.Context, sh *llmshield.Shield, rows []evalRow, workers int) ([]bool, []time.Duration, error) {
	workers = max(1, workers)
	preds := make([]bool, len(rows))
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
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("row %d: %w", i+1, err)
					}
					mu.Unlock()
				}
				preds[i] = !rep.Valid
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
		return nil, nil, firstErr
	}
	return preds, durs, ctx.Err()
}
