package maliciousurls

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// fakeURLModel scores URLs containing "evil" as phishing.
type fakeURLModel struct {
	mu       sync.Mutex
	labels   []string
	asked    []string
	positive []string
	err      error
}

func (f *fakeURLModel) Classify(_ context.Context, text string, _ classifier.MatchType, positive []string) (classifier.Prediction, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked, f.positive = append(f.asked, text), positive
	score := 0.02
	if strings.Contains(text, "evil") {
		score = 0.93
	}
	return classifier.Prediction{Score: score, Best: classifier.Part{End: len(text)}, Parts: 1}, f.err
}
func (f *fakeURLModel) BestLabel(classifier.Prediction, []string) string { return "phishing" }
func (f *fakeURLModel) Labels() []string                                 { return f.labels }
func (f *fakeURLModel) Version() string                                  { return "fake-url@1" }

func TestMaliciousLabels(t *testing.T) {
	for _, c := range []struct {
		labels []string
		want   string
	}{
		{[]string{"benign", "defacement", "phishing", "malware"}, "defacement,phishing,malware"},
		{[]string{"MALICIOUS", "BENIGN"}, "MALICIOUS"},
		{[]string{"LABEL_0", "LABEL_1"}, "LABEL_1"},
	} {
		if got, err := MaliciousLabels(c.labels); err != nil || strings.Join(got, ",") != c.want {
			t.Errorf("%v: %v %v, want %s", c.labels, got, err, c.want)
		}
	}
	for _, labels := range [][]string{{"SAFE", "INJECTION"}, {"benign"}, {"LABEL_0", "LABEL_1", "LABEL_2"}, nil} {
		if _, err := MaliciousLabels(labels); err == nil {
			t.Errorf("%v: want an error", labels)
		}
	}
}

func TestModelScan(t *testing.T) {
	f := &fakeURLModel{labels: []string{"benign", "phishing", "malware"}}
	cfg := DefaultConfig()
	cfg.Model = "some/url-model"
	s, err := New(cfg, WithClassifier(f))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	text := "Docs at https://example.com/start and log in at https://evil-login.example.net/now"
	res, err := s.Scan(ctx, out(text))
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || res.Method != scanner.MethodML || len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Detail, "model: phishing 0.93") ||
		text[res.Findings[0].Start:res.Findings[0].End] != "https://evil-login.example.net/now" {
		t.Fatalf("model verdict: %+v", res)
	}
	if len(f.asked) != 2 || strings.Join(f.positive, ",") != "phishing,malware" {
		t.Fatalf("each URL is classified on its own with the malicious labels: asked %q positive %v", f.asked, f.positive)
	}
	// The features still count: a script URL the model calls benign.
	if res, err := s.Scan(ctx, out("click javascript:alert(1)")); err != nil || res.Valid {
		t.Fatalf("features must still flag: %+v %v", res, err)
	}
	plain, _ := New(DefaultConfig())
	if plain.Fingerprint() == s.Fingerprint() {
		t.Error("the fingerprint must change with the model")
	}
	f.err = errors.New("model broke")
	if _, err := s.Scan(ctx, out(text)); err == nil || !strings.Contains(err.Error(), "model broke") {
		t.Fatalf("a model error must surface: %v", err)
	}
	f.err = nil
	scannertest.Run(t, s, scannertest.WithInputs(text, "no links here"))

	if _, err := New(cfg, WithClassifier(&fakeURLModel{labels: []string{"SAFE", "INJECTION"}})); err == nil || !strings.Contains(err.Error(), "malicious labels") {
		t.Errorf("a model without a benign label: %v", err)
	}
	if _, err := New(DefaultConfig(), WithClassifier(f)); err == nil || !strings.Contains(err.Error(), "model is empty") {
		t.Errorf("a classifier without model: %v", err)
	}
}
