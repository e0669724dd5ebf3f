//go:build ignore

// Per-prompt latency of Go prompt-injection libraries, measured as
// `llmshield bench --prompts` measures llmshield (one untimed pass, then
// -rounds timed passes, one prompt after another; eval's percentile rule).
// speed.sh copies this file into a temporary module that requires the
// library, so the llmshield module never depends on it.
//
//	go run main.go -dataset F.jsonl [-rounds 3]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"time"

	"github.com/mdombrov-33/go-promptguard/detector"
)

func main() {
	dataset := flag.String("dataset", "", "JSONL file of {\"text\"} rows")
	rounds := flag.Int("rounds", 3, "timed passes")
	version := flag.String("version", "", "library version, for the report")
	flag.Parse()
	if err := run(*dataset, *rounds, *version); err != nil {
		fmt.Fprintln(os.Stderr, "gopeer:", err)
		os.Exit(2)
	}
}

func run(path string, rounds int, version string) error {
	if path == "" || rounds < 1 {
		return fmt.Errorf("want -dataset and -rounds >= 1")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var row struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil || row.Text == nil {
			return fmt.Errorf("%s: line %d: want a JSON object with \"text\" (%v)", path, n, err)
		}
		texts = append(texts, *row.Text)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	ctx := context.Background()
	guard := detector.New() // the library's defaults: pattern and statistical detectors, no LLM
	for _, t := range texts {
		guard.Detect(ctx, t)
	}
	lat := make([]time.Duration, 0, len(texts)*rounds)
	var total time.Duration
	flagged := 0
	for r := 0; r < rounds; r++ {
		flagged = 0
		for _, t := range texts {
			start := time.Now()
			res := guard.Detect(ctx, t)
			d := time.Since(start)
			lat = append(lat, d)
			total += d
			if !res.Safe {
				flagged++
			}
		}
	}
	slices.Sort(lat)
	pct := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(lat)))) - 1
		return float64(lat[max(0, min(i, len(lat)-1))].Nanoseconds()) / 1e3
	}
	out, err := json.Marshal(map[string]any{
		"name": "go-promptguard", "package": "github.com/mdombrov-33/go-promptguard@" + version,
		"n": len(texts), "rounds": rounds, "p50_us": pct(0.5), "p99_us": pct(0.99),
		"mean_us": float64(total.Nanoseconds()) / 1e3 / float64(len(lat)), "flagged": flagged,
	})
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}
