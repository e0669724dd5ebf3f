package tokenizer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxJSONLLine is the longest input line RunTokenizeJSONL accepts.
const MaxJSONLLine = 64 << 20

// RunTokenizeJSONL reads JSON lines {"text": "..."} from r and writes one
// line {"ids":[...],"offsets":[[start,end],...]} per input line to w, in
// order. special selects whether special tokens are added; MaxLength and
// truncation come from tok's Config. Blank lines are skipped (no output).
// A malformed line stops the run with an error naming its 1-based line
// number; lines before it have been written. JSON strings are decoded by
// encoding/json, which turns invalid UTF-8 inside them into U+FFFD.
func RunTokenizeJSONL(ctx context.Context, tok *Tokenizer, r io.Reader, w io.Writer, special bool) error {
	cfg := tok.Config()
	cfg.AddSpecialTokens = special
	t, err := tok.WithConfig(cfg)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxJSONLLine)
	bw := bufio.NewWriterSize(w, 64<<10)
	var out []byte
	line := 0
	for sc.Scan() {
		line++
		if err := ctx.Err(); err != nil {
			return err
		}
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var in struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(raw, &in); err != nil {
			return fmt.Errorf("tokenizer: jsonl line %d: %w", line, err)
		}
		if in.Text == nil {
			return fmt.Errorf("tokenizer: jsonl line %d: missing string field \"text\"", line)
		}
		enc, err := t.Encode(*in.Text)
		if err != nil {
			return fmt.Errorf("tokenizer: jsonl line %d: %w", line, err)
		}
		out = append(out[:0], `{"ids":[`...)
		for i, id := range enc.IDs {
			if i > 0 {
				out = append(out, ',')
			}
			out = strconv.AppendInt(out, int64(id), 10)
		}
		out = append(out, `],"offsets":[`...)
		for i, o := range enc.Offsets {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, '[')
			out = strconv.AppendInt(out, int64(o[0]), 10)
			out = append(out, ',')
			out = strconv.AppendInt(out, int64(o[1]), 10)
			out = append(out, ']')
		}
		out = append(out, "]}\n"...)
		if _, err := bw.Write(out); err != nil {
			return fmt.Errorf("tokenizer: jsonl write: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("tokenizer: jsonl line %d: longer than %d bytes: %w", line+1, MaxJSONLLine, err)
		}
		return fmt.Errorf("tokenizer: jsonl read after line %d: %w", line, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("tokenizer: jsonl write: %w", err)
	}
	return nil
}
