package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/server"
)

type scanFlags struct {
	config, scanners, format, output, jsonl string
}

func (a *app) scanCommand() *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [TEXT | -]",
		Short: "Scan a prompt (or, with --output, a response) and report the verdict",
		Long: `Scan TEXT, or standard input when TEXT is "-", with the input scanners.
With --output RESPONSE, scan RESPONSE with the output scanners, TEXT being its prompt.
With --jsonl FILE, scan one {"text"} (optionally {"text","output"}) per line and write one result per line.

Exit status: 0 valid, 1 flagged, 2 error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(f.format); err != nil {
				return err
			}
			sh, err := a.buildShield(cmd, f.config, f.scanners)
			if err != nil {
				return err
			}
			defer sh.Close()
			if f.jsonl != "" {
				if len(args) > 0 {
					return errors.New("give either TEXT or --jsonl, not both")
				}
				return a.scanJSONL(cmd.Context(), sh.Shield, f)
			}
			if len(args) == 0 {
				return errors.New("nothing to scan: give TEXT, - for standard input, or --jsonl FILE")
			}
			text := args[0]
			if text == "-" {
				b, err := io.ReadAll(io.LimitReader(a.streams.In, llmshield.DefaultMaxInputBytes+1))
				if err != nil {
					return fmt.Errorf("read standard input: %w", err)
				}
				text = string(b)
			}
			var rep llmshield.Report
			if cmd.Flags().Changed("output") {
				rep, err = sh.ScanOutput(cmd.Context(), text, f.output)
			} else {
				rep, err = sh.ScanPrompt(cmd.Context(), text)
			}
			if err != nil {
				return err // the input itself was refused
			}
			scanned := text
			if cmd.Flags().Changed("output") {
				scanned = f.output
			}
			if werr := writeReport(a.streams.Out, f.format, rep, scanned); werr != nil {
				return werr
			}
			if err := rep.Err(); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if !rep.Valid {
				return exitCode(ExitFlagged)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "configuration file (default: the embedded default)")
	fl.StringVar(&f.scanners, "scanners", "", "comma-separated scanners to run (default: those in the configuration)")
	fl.StringVar(&f.format, "format", "text", "output format: text or json")
	fl.StringVar(&f.output, "output", "", "scan this LLM response (TEXT is then its prompt)")
	fl.StringVar(&f.jsonl, "jsonl", "", `scan a JSONL file of {"text"} objects ("-" for standard input)`)
	return cmd
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func writeReport(w io.Writer, format string, rep llmshield.Report, original string) error {
	if format == "json" {
		b, err := json.Marshal(server.NewScanResponse(rep))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	verdict := "VALID"
	if !rep.Valid {
		verdict = "FLAGGED"
	}
	fmt.Fprintf(w, "%s  risk %.2f  (%.2f ms)\n", verdict, rep.Risk, ms(rep.Duration))
	for _, s := range rep.Scanners {
		switch {
		case s.Skipped:
			fmt.Fprintf(w, "  %-18s skipped (fail-fast)\n", s.Name)
			continue
		case s.Err != nil:
			fmt.Fprintf(w, "  %-18s ERROR    %v\n", s.Name, s.Err)
			continue
		}
		state := "valid"
		if !s.Result.Valid {
			state = "flagged"
		}
		cached := ""
		if s.Result.Cached {
			cached = "  cached"
		}
		fmt.Fprintf(w, "  %-18s %-8s risk %.2f  %s  %.2f ms%s\n", s.Name, state, s.Result.Risk, s.Result.Method, ms(s.Result.Duration), cached)
		for _, fd := range s.Result.Findings {
			span := ""
			if fd.End > fd.Start {
				span = fmt.Sprintf(" [%d:%d]", fd.Start, fd.End)
			}
			detail := ""
			if fd.Detail != "" {
				detail = "  " + fd.Detail
			}
			fmt.Fprintf(w, "      - %s%s score %.2f%s\n", fd.Rule, span, fd.Score, detail)
		}
	}
	if rep.Sanitized != original {
		fmt.Fprintf(w, "sanitized: %q\n", rep.Sanitized)
	}
	return nil
}

type jsonlLine struct {
	Text   *string `json:"text"`
	Output *string `json:"output"`
}

// scanJSONL scans one {"text"} per line. A malformed line is reported on
// its own output line with an error, naming the line number, and makes the
// exit status 2; the other lines are still scanned.
func (a *app) scanJSONL(ctx context.Context, sh *llmshield.Shield, f scanFlags) error {
	var r io.Reader = a.streams.In
	var total int64 = -1
	if f.jsonl != "-" {
		file, err := os.Open(f.jsonl)
		if err != nil {
			return err
		}
		defer file.Close()
		if st, err := file.Stat(); err == nil {
			total = st.Size()
		}
		r = file
	}
	var bar *progressbar.ProgressBar
	if errFile, ok := a.streams.Err.(*os.File); ok && term.IsTerminal(int(errFile.Fd())) {
		bar = progressbar.DefaultBytes(total, "scanning")
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), llmshield.DefaultMaxInputBytes*2+1024)
	enc := json.NewEncoder(a.streams.Out)
	flagged, failed := 0, 0
	for n := 1; sc.Scan(); n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line := sc.Bytes()
		if bar != nil {
			_ = bar.Add(len(line) + 1)
		}
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var in jsonlLine
		var rep llmshield.Report
		var err error
		if jerr := json.Unmarshal(line, &in); jerr != nil || in.Text == nil {
			if jerr == nil {
				jerr = errors.New(`missing "text"`)
			}
			err = fmt.Errorf("line %d: %w", n, jerr)
		} else if in.Output != nil {
			rep, err = sh.ScanOutput(ctx, *in.Text, *in.Output)
		} else {
			rep, err = sh.ScanPrompt(ctx, *in.Text)
		}
		if err == nil {
			err = rep.Err()
		}
		out := server.NewScanResponse(rep)
		if err != nil {
			out.Error = fmt.Sprintf("line %d: %v", n, err)
			failed++
		} else if !rep.Valid {
			flagged++
		}
		if werr := enc.Encode(out); werr != nil {
			return werr
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", f.jsonl, err)
	}
	switch {
	case failed > 0:
		return &exitError{code: ExitError, err: fmt.Errorf("%d line(s) could not be scanned", failed)}
	case flagged > 0:
		return exitCode(ExitFlagged)
	}
	return nil
}
