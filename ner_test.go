package llmshield

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/config"
)

// TestAnonymizeNER builds anonymize with ner: true from a configuration:
// the built-in NER model is opened through the model hub (registry ->
// loader -> tokenizer -> engine) and finds a name the gazetteers miss.
func TestAnonymizeNER(t *testing.T) {
	for _, params := range []string{"{}", "{ner: true}"} {
		cfg, err := config.Parse([]byte("models: {backend: purego, offline: true}\ninput_scanners:\n  - type: anonymize\n    params: " + params + "\noutput_scanners: []\n"))
		if err != nil {
			t.Fatal(err)
		}
		sh, err := New(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := sh.ScanPrompt(context.Background(), "Forward the signed contract to Ingeborg Vasquez-Thornbury before Friday.")
		if err != nil {
			t.Fatal(err)
		}
		_ = sh.Close()
		replaced := strings.Contains(rep.Sanitized, "[REDACTED_PERSON_1]")
		if want := params != "{}"; replaced != want {
			t.Errorf("params %s: sanitized %q, want the name replaced: %v", params, rep.Sanitized, want)
		}
	}
}
