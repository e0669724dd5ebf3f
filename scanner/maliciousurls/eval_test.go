package maliciousurls

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestDatasetURLs scores every distinct URL found in the shared datasets'
// texts (tweets, prompts, synthetic PII and secrets examples: unlabelled,
// overwhelmingly benign, with some raw-IP and shortener links) and reports
// the share flagged and why. Run with -v for the table.
func TestDatasetURLs(t *testing.T) {
	if testing.Short() {
		t.Skip("reads all shared datasets")
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Skip("repository root not found")
		}
		dir = filepath.Dir(dir)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "..", "shared", "datasets", "*", "*.jsonl"))
	if len(files) == 0 {
		t.Skip("shared datasets absent")
	}
	s := mustNew(t, DefaultConfig())
	seen := map[string]bool{}
	reasons := map[string]int{}
	flagged := 0
	var examples []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var r struct {
				Text string `json:"text"`
			}
			if json.Unmarshal(sc.Bytes(), &r) != nil {
				continue
			}
			for _, sp := range s.find(r.Text) {
				u := r.Text[sp[0]:sp[1]]
				if seen[u] {
					continue
				}
				seen[u] = true
				score, why := s.Score(u)
				if score >= s.cfg.Threshold {
					flagged++
					for _, w := range why {
						reasons[strings.Fields(w)[0]+" "+strings.Join(strings.Fields(w)[1:min(3, len(strings.Fields(w)))], " ")]++
					}
					if len(examples) < 15 {
						examples = append(examples, fmt.Sprintf("%.2f %s (%s)", score, u, strings.Join(why, "; ")))
					}
				}
			}
		}
		fh.Close()
	}
	if len(seen) == 0 {
		t.Skip("no URLs found")
	}
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return reasons[keys[i]] > reasons[keys[j]] })
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d distinct URLs in ../shared/datasets, %d flagged (%.3f)\n\n| signal (of flagged URLs) | count |\n|---|---|\n", len(seen), flagged, float64(flagged)/float64(len(seen)))
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %d |\n", k, reasons[k])
	}
	b.WriteString("\nfirst flagged:\n" + strings.Join(examples, "\n"))
	t.Log(b.String())
	if float64(flagged)/float64(len(seen)) > 0.25 {
		t.Errorf("flag rate %.3f on mostly benign URLs", float64(flagged)/float64(len(seen)))
	}
}
