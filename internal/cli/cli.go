// Package cli implements the llmshield command line. It turns flags into
// configuration and calls the library; cmd/llmshield only wires it to the
// process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitValid   = 0 // scanned, nothing flagged (or the command succeeded)
	ExitFlagged = 1 // scanned, something flagged (health: degraded)
	ExitError   = 2 // the command failed (health: unhealthy)
)

// Streams are the command's standard streams.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// exitError carries a specific exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// exitCode ends the command with code and no message.
func exitCode(code int) error { return &exitError{code: code} }

// Main runs the CLI with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, s Streams) int {
	app := &app{streams: s, env: os.Getenv, lookupEnv: os.LookupEnv}
	root := app.rootCommand()
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitValid
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(s.Err, "llmshield:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(s.Err, "llmshield:", err)
	return ExitError
}

type app struct {
	streams Streams
	env     func(string) string
	// lookupEnv tells a variable set to "" from an unset one.
	lookupEnv func(string) (string, bool)
	log       *slog.Logger
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "llmshield",
		Short:         "Scan LLM prompts and responses for prompt injection, jailbreaks, toxicity, secrets and more",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			l, err := newLogger(a.env("LLMSHIELD_LOG"), a.env("LLMSHIELD_LOG_FORMAT"), a.streams.Err)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			a.log = l
			return nil
		},
	}
	root.AddCommand(a.scanCommand(), a.evalCommand(), a.scannersCommand(), a.versionCommand(), a.serveCommand(), a.loadtestCommand(),
		a.healthCommand(), a.modelsCommand(), a.tokenizeCommand(), a.benchCommand())
	return root
}

// newLogger builds the logger from LLMSHIELD_LOG ("debug", "info", "warn",
// "error", optionally with ",json" or ",text") and LLMSHIELD_LOG_FORMAT.
// The default is warnings and errors only, as text, on stderr.
func newLogger(spec, format string, w io.Writer) (*slog.Logger, error) {
	level := slog.LevelWarn
	for _, part := range strings.Split(strings.ToLower(spec), ",") {
		switch strings.TrimSpace(part) {
		case "":
		case "debug":
			level = slog.LevelDebug
		case "info":
			level = slog.LevelInfo
		case "warn", "warning":
			level = slog.LevelWarn
		case "error":
			level = slog.LevelError
		case "json", "text":
			format = strings.TrimSpace(part)
		default:
			return nil, fmt.Errorf("LLMSHIELD_LOG: unknown level or format %q (want debug, info, warn, error, json or text)", part)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(format) {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("LLMSHIELD_LOG_FORMAT: unknown format %q (want text or json)", format)
}
