package maliciousurls

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasets"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// TestDatasetURLs scores every distinct URL found in the shared datasets'
// texts (tweets, prompts, synthetic PII and secrets examples: unlabelled,
// overwhelmingly benign, with some raw-IP and shortener links) and reports
// the share flagged and why. Run with -v for the table.
func TestDatasetURLs(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(datasets.Path(t), "*", "*.jsonl"))
	if len(files) == 0 {
		t.Skip("shared datasets absent")
	}
	s := scannertest.MustWith(t, New, DefaultConfig())
	seen := map[string]bool{}
	reasons := map[string]int{}
	flagged := 0
	var examples []string
	for _, f := range files {
		for _, r := range datasets.ReadRows[struct{ Text string }](t, f) {
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
