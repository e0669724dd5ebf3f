package normalize

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkNormalizeBenignRows normalises the benign GPTeacher prompts of
// ../shared one at a time with the scanners' options.
func BenchmarkNormalizeBenignRows(b *testing.B) {
	f, err := os.Open(filepath.Join("..", "..", "..", "shared", "datasets", "injection", "gpteacher_benign.jsonl"))
	if err != nil {
		b.Skip("../shared/datasets/injection/gpteacher_benign.jsonl not found")
	}
	defer f.Close()
	var rows []string
	size := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() && size < 400<<10 {
		var row struct{ Text string }
		if json.Unmarshal(sc.Bytes(), &row) == nil && strings.TrimSpace(row.Text) != "" {
			rows = append(rows, row.Text)
			size += len(row.Text)
		}
	}
	o := DefaultOptions()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range rows {
			res := Normalize(r, o)
			res.Release()
		}
	}
}
