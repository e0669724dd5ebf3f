package maliciousurls

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestMaliciousLabels(t *testing.T) {
	modeltest.PicksLabels(t, MaliciousLabels, []modeltest.PickCase{
		{Labels: []string{"benign", "defacement", "phishing", "malware"}, Want: "defacement,phishing,malware"},
		{Labels: []string{"MALICIOUS", "BENIGN"}, Want: "MALICIOUS"},
		{Labels: []string{"LABEL_0", "LABEL_1"}, Want: "LABEL_1"},
	}, [][]string{{"SAFE", "INJECTION"}, {"benign"}, {"LABEL_0", "LABEL_1", "LABEL_2"}, nil}, "malicious labels")
}

func TestModelScan(t *testing.T) {
	// The fake scores URLs containing "evil" as phishing.
	f := &modeltest.Classifier{Names: []string{"benign", "phishing", "malware"}, Softmax: true, ByText: func(text string) []float64 {
		if strings.Contains(text, "evil") {
			return []float64{0.07, 0.93, 0}
		}
		return []float64{0.97, 0.01, 0.01}
	}}
	cfg := DefaultConfig()
	cfg.Model = "some/url-model"
	s := scannertest.MustWith(t, New, cfg, WithClassifier(f))
	ctx := context.Background()
	text := "Docs at https://example.com/start and log in at https://evil-login.example.net/now"
	res := scannertest.Check(t, s, scannertest.Answer(text))
	if res.Valid || res.Method != scanner.MethodML || len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Detail, "model: phishing 0.93") ||
		text[res.Findings[0].Start:res.Findings[0].End] != "https://evil-login.example.net/now" {
		t.Fatalf("model verdict: %+v", res)
	}
	if _, positive := f.Last(); len(f.Asked()) != 2 || strings.Join(positive, ",") != "phishing,malware" {
		t.Fatalf("each URL is classified on its own with the malicious labels: asked %q positive %v", f.Asked(), positive)
	}
	// The features still count: a script URL the model calls benign.
	if res, err := s.Scan(ctx, scannertest.Answer("click javascript:alert(1)")); err != nil || res.Valid {
		t.Fatalf("features must still flag: %+v %v", res, err)
	}
	plain, _ := New(DefaultConfig())
	if plain.Fingerprint() == s.Fingerprint() {
		t.Error("the fingerprint must change with the model")
	}
	f.SetErr(errors.New("model broke"))
	if _, err := s.Scan(ctx, scannertest.Answer(text)); err == nil || !strings.Contains(err.Error(), "model broke") {
		t.Fatalf("a model error must surface: %v", err)
	}
	f.SetErr(nil)
	scannertest.Run(t, s, scannertest.WithInputs(text, "no links here"))

	if _, err := New(cfg, WithClassifier(modeltest.NewClassifier([]string{"SAFE", "INJECTION"}))); err == nil || !strings.Contains(err.Error(), "malicious labels") {
		t.Errorf("a model without a benign label: %v", err)
	}
	if _, err := New(DefaultConfig(), WithClassifier(f)); err == nil || !strings.Contains(err.Error(), "model is empty") {
		t.Errorf("a classifier without model: %v", err)
	}
}
