package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// readJSONL decodes each non-blank line of the JSON-lines file at path
// with decode, strictly: the first line that does not decode is an error
// naming the file and the line (from 1), and so is a file without rows.
// `llmshield eval` and `llmshield bench --prompts` read their datasets
// with it.
func readJSONL[T any](path string, decode func(line []byte) (T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []T
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			row, derr := decode(line)
			if derr != nil {
				return nil, fmt.Errorf("%s: line %d: %w", path, n, derr)
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
