// Command scoretox prints "risk flagged" for every row of JSONL files (a
// {"text"} object or a JSON string per line) scanned by the input pipeline
// of a configuration, so training/toxicity_compare.py can compute AUC and
// threshold-free figures for any model the Go pipeline runs (the v1 model
// on main, the v2 model here):
//
//	go run ./training/scoretox CONFIG.yaml ROWS.jsonl... > scores.txt
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: scoretox CONFIG.yaml ROWS.jsonl...")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "scoretox:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfgPath string, files []string) error {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	sh, err := llmshield.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer sh.Close()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, p := range files {
		if err := scoreFile(ctx, sh, p, out); err != nil {
			return err
		}
	}
	return nil
}

func scoreFile(ctx context.Context, sh *llmshield.Shield, path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		var r struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			if err2 := json.Unmarshal(sc.Bytes(), &r.Text); err2 != nil {
				return fmt.Errorf("%s:%d: %w", path, n, err)
			}
		}
		rep, err := sh.ScanPrompt(ctx, r.Text)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
		fmt.Fprintf(out, "%.6f %v\n", rep.Risk, !rep.Valid)
	}
	return sc.Err()
}
