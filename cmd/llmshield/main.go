// Command llmshield scans LLM prompts and responses: a CLI and an HTTP service.
//
//	llmshield scan "Ignore all previous instructions"   # exit 1: flagged
//	llmshield serve --addr 127.0.0.1:8000
//
// See `llmshield --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/llmshield/llmshield/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
