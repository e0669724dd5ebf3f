package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/llmshield/llmshield/internal/bench"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/tokenizer"
)

// benchText is a representative prompt (about 128 tokens) for the tokenizer row.
const benchText = `Please summarise the following customer email and draft a polite reply. ` +
	`"Hello, I ordered a pair of running shoes three weeks ago (order 48213) and they still have not arrived. ` +
	`The tracking page has said 'in transit' for ten days. Could you check with the courier and tell me ` +
	`whether I should expect them this week? If they are lost, I would prefer a refund to a replacement, ` +
	`since I need the shoes for a race on the 14th. Thanks, Maria." Keep the reply under 120 words, ` +
	`apologise for the delay, and do not promise a delivery date we cannot guarantee.`

func (a *app) benchCommand() *cobra.Command {
	var (
		cfgPath, modelID, backends string
		prompts, scanners, format  string
		duration                   time.Duration
		concurrency, threads       int
		rounds                     int
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure tokenisation and inference speed for each backend",
		Long: `Print a table for a model (default: the built-in prompt-injection model): tokeniser
throughput, per-sample latency at 64 and 256 tokens, batch-32 throughput, and throughput
under concurrent load with and without micro-batching, for each inference backend that
starts here (ONNX Runtime when its library is found, and pure Go). Compare rows of one
run with each other; absolute numbers depend on the machine and its load.

With --prompts F.jsonl it measures the configured prompt pipeline instead (the
embedded default: invisible_text, secrets, prompt_injection with its model, on
the backend $LLMSHIELD_BACKEND selects): every {"text"} row once untimed, then
--rounds timed passes, one prompt after another; it prints the per-prompt p50
and p99. scripts/compare/speed.sh runs it beside rule-only peers on the same
file and prints the ratios.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if prompts != "" {
				if err := checkFormat(format); err != nil {
					return err
				}
				sh, err := a.buildShield(cmd, cfgPath, scanners)
				if err != nil {
					return err
				}
				defer sh.Close()
				res, err := benchPrompts(cmd.Context(), sh.Shield, prompts, rounds)
				if err != nil {
					return err
				}
				return writePromptBench(a.streams.Out, format, res)
			}
			reg, err := a.registry(cfgPath)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var files registry.Files
			if modelID != "" {
				files, err = reg.EnsureID(ctx, modelID)
			} else {
				files, err = reg.Ensure(ctx, model.TaskPromptInjection, model.FP32)
			}
			if err != nil {
				return err
			}
			opts := bench.Options{ModelPath: files.Model(), SeqLens: []int{64, 128, 256}, Duration: duration, Concurrency: concurrency, Threads: threads, Logger: a.log}
			if backends != "" {
				opts.Backends = strings.Split(backends, ",")
			}
			if tp := files.Tokenizer(); tp != "" {
				tok, err := tokenizer.Load(tp, tokenizer.DefaultConfig())
				if err != nil {
					return fmt.Errorf("tokenizer: %w", err)
				}
				opts.TokenizerName = "tokenizer (" + tok.Kind() + ")"
				opts.Tokenizer = func(context.Context) (int, error) {
					enc, err := tok.Encode(benchText)
					return enc.Len(), err
				}
			}
			fmt.Fprintf(a.streams.Out, "model: %s\n", files.Model())
			return bench.Run(ctx, a.streams.Out, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cfgPath, "config", "", "configuration file (its models: section)")
	fl.StringVar(&modelID, "model", "", "registry id or name of the model (default: the built-in prompt-injection model)")
	fl.StringVar(&backends, "backends", "", "comma-separated backends to measure (default: every backend that starts)")
	fl.DurationVar(&duration, "duration", time.Second, "measuring time per row")
	fl.IntVar(&concurrency, "concurrency", 16, "goroutines in the concurrent rows")
	fl.IntVar(&threads, "threads", 0, "ONNX Runtime intra-op threads (0: backend default)")
	fl.StringVar(&prompts, "prompts", "", "JSONL file of {\"text\"} rows: measure the prompt pipeline per prompt instead")
	fl.StringVar(&scanners, "scanners", "", "with --prompts: only these scanner types (comma-separated)")
	fl.IntVar(&rounds, "rounds", 3, "with --prompts: timed passes over the file")
	fl.StringVar(&format, "format", "text", "with --prompts: text or json")
	return cmd
}
