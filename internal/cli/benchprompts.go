package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/llmshield/llmshield"
)

// promptBench is the result of `bench --prompts`: per-prompt latency of the
// configured prompt pipeline, prompts scanned one after another.
type promptBench struct {
	Name     string   `json:"name"`
	Scanners []string `json:"scanners"`
	Dataset  string   `json:"dataset"`
	N        int      `json:"n"`      // prompts in the file
	Rounds   int      `json:"rounds"` // timed passes over them
	P50US    float64  `json:"p50_us"`
	P99US    float64  `json:"p99_us"`
	MeanUS   float64  `json:"mean_us"`
	Flagged  int      `json:"flagged"` // prompts flagged in the last pass
	// Methods counts, over the last pass, how each scanner reached its
	// verdicts ("prompt_injection:ml" ...): a model that failed to load
	// shows as a fallback here instead of passing for a fast model.
	Methods map[string]int `json:"methods"`
}

// benchPrompts scans every prompt of path once untimed (models load, pools
// fill, as in a warmed-up service), then rounds timed passes, and returns
// the latency percentiles over all timed scans. Percentiles use eval's rule:
// the ceil(q*n)-th smallest value. A scanner error fails the run, as in eval.
func benchPrompts(ctx context.Context, sh *llmshield.Shield, path string, rounds int) (promptBench, error) {
	if rounds < 1 {
		return promptBench{}, fmt.Errorf("--rounds: must be at least 1, got %d", rounds)
	}
	rows, err := readPromptRows(path)
	if err != nil {
		return promptBench{}, err
	}
	in, _ := sh.Scanners()
	res := promptBench{Name: "llmshield", Scanners: in, Dataset: path, N: len(rows), Rounds: rounds}
	var methods map[string]int
	scan := func(i int) (bool, error) {
		rep, err := sh.ScanPrompt(ctx, rows[i])
		if err == nil {
			err = rep.Err()
		}
		if err != nil {
			return false, fmt.Errorf("%s: line %d: %w", path, i+1, err)
		}
		if methods != nil {
			for _, s := range rep.Scanners {
				methods[s.Name+":"+s.Result.Method.String()]++
			}
		}
		return !rep.Valid, nil
	}
	for i := range rows {
		if _, err := scan(i); err != nil {
			return res, err
		}
	}
	lat := make([]time.Duration, 0, len(rows)*rounds)
	var total time.Duration
	for r := range rounds {
		flagged := 0
		if r == rounds-1 {
			methods = map[string]int{}
		}
		for i := range rows {
			start := time.Now()
			bad, err := scan(i)
			d := time.Since(start)
			if err != nil {
				return res, err
			}
			lat = append(lat, d)
			total += d
			if bad {
				flagged++
			}
		}
		if r == rounds-1 {
			res.Flagged, res.Methods = flagged, methods
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
	slices.Sort(lat)
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	res.P50US, res.P99US = us(percentileDur(lat, 0.5)), us(percentileDur(lat, 0.99))
	res.MeanUS = us(total) / float64(len(lat))
	return res, nil
}

// readPromptRows reads the "text" of every non-blank JSONL line of path.
func readPromptRows(path string) ([]string, error) {
	return readJSONL(path, func(line []byte) (string, error) {
		var row struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(line, &row); err != nil {
			return "", err
		}
		if row.Text == nil {
			return "", errors.New(`missing "text"`)
		}
		return *row.Text, nil
	})
}

// percentileDur is the ceil(q*n)-th smallest of sorted (eval's rule).
func percentileDur(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func writePromptBench(w io.Writer, format string, r promptBench) error {
	switch format {
	case "json":
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case "text":
		_, err := fmt.Fprintf(w, "prompt pipeline: %s\ndataset: %s (%d prompts, %d timed rounds after one untimed)\nper prompt: p50 %.1f µs  p99 %.1f µs  mean %.1f µs  (flagged %d)\n",
			strings.Join(r.Scanners, ", "), r.Dataset, r.N, r.Rounds, r.P50US, r.P99US, r.MeanUS, r.Flagged)
		if err != nil {
			return err
		}
		keys := slices.Sorted(maps.Keys(r.Methods))
		for _, k := range keys {
			if _, err := fmt.Fprintf(w, "  %-40s %d\n", k, r.Methods[k]); err != nil {
				return err
			}
		}
		return nil
	}
	return errors.New("unreachable format " + format)
}
