package builtin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
)

// tinyDir is a tiny generated model of the inference package's testdata.
func tinyDir(name string) string { return modeltest.TinyDir(name) }

// biasDir is the tiny binary classifier (labels SAFE, INJECTION).
func biasDir(t testing.TB) string { return modeltest.ClassifierDir(t, "tiny-binary") }

// userModelHub has "tiny-nli" as a path entry and "absent-nli", a URL
// entry never downloaded, in an offline registry.
func userModelHub(t testing.TB, backend string) *classifier.Hub {
	t.Helper()
	abs, err := filepath.Abs(tinyDir("tiny-nli"))
	if err != nil {
		t.Fatal(err)
	}
	return modeltest.Hub(t, backend,
		registry.Entry{ID: "tiny-nli", Name: "example/tiny-nli", Task: "nli", Variant: "fp32", Path: abs,
			Files: []registry.File{{Name: "model.onnx"}, {Name: "tokenizer.json"}, {Name: "config.json"}}},
		registry.Entry{ID: "absent-nli", Name: "example/absent-nli", Task: "nli", Variant: "fp32",
			Files: []registry.File{{Name: "model.onnx", URL: "https://models.invalid/model.onnx"}, {Name: "config.json", URL: "https://models.invalid/config.json"}}})
}

func logTo(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// TestUserModels builds each of the four scanners with a user model from a
// local directory or a registry id, through Build, and checks that the
// model decides.
func TestUserModels(t *testing.T) {
	modeltest.Backends(t, func(t *testing.T, backend string) {
		h := userModelHub(t, backend)
		ctx := context.Background()
		var logs bytes.Buffer
		deps := Deps{Hub: h, Logger: logTo(&logs)}
		out := func(prompt, output string) scanner.Input {
			return scanner.Input{Prompt: prompt, Output: output, Stage: scanner.StageOutput}
		}
		cases := []struct {
			typ, params string
			flag, pass  scanner.Input
		}{
			{"ban_topics", fmt.Sprintf("topics: [music, weapons]\nmodel: %q\nhypothesis_template: 'this example is about {} .'", tinyDir("tiny-nli")),
				out("q", "we play music and sing with friends ."), out("q", "the cat sat with the dog in the garden .")},
			{"BanTopics", "topics: [music]\nmodel: example/tiny-nli\nhypothesis_template: 'this example is about {} .'",
				out("q", "we play music and sing with friends ."), out("q", "the bank will pay money .")},
			{"factual_consistency", fmt.Sprintf("model: %q", tinyDir("tiny-nli")),
				out("the bank will pay money to the market .", "the river boat ."), out("the bank will pay money to the market .", "money bank .")},
			{"relevance", fmt.Sprintf("model: %q\npooling: mean\nthreshold: 0.9", tinyDir("tiny-embed")),
				out("the cat sat with the dog .", "the bank will pay money ."), out("the cat sat with the dog .", "the cat sat with the dog .")},
			{"bias", fmt.Sprintf("model: %q\nthreshold: 0.01", biasDir(t)),
				out("q", "All of them are like that."), out("q", " ")},
			{"emotion_detection", fmt.Sprintf("model: %q\nthreshold: 0.01\nblocked_emotions: [Anger, fear]", modeltest.ClassifierDir(t, "tiny-multilabel", "anger", "joy", "fear")),
				out("q", "I am so furious with you."), out("q", " ")},
			{"NoRefusal", fmt.Sprintf("model: %q\nthreshold: 0.01\nmatch_type: sentence", modeltest.ClassifierDir(t, "tiny-binary", "NORMAL", "REJECTION")),
				out("q", "I cannot help with that."), out("q", "\n")},
			{"malicious_urls", fmt.Sprintf("model: %q\nthreshold: 0.01", modeltest.ClassifierDir(t, "tiny-binary", "benign", "malicious")),
				out("q", "see https://example.com/start"), out("q", "no links here")},
			{"code", fmt.Sprintf("languages: [python, go, javascript]\nmodel: %q\nthreshold: 0.01", modeltest.ClassifierDir(t, "tiny-multilabel", "Python", "Go", "JavaScript")),
				out("q", "```\nimport os\nprint(os.getcwd())\n```"), out("q", "No code here, only a sentence or two of prose.")},
			{"gibberish", fmt.Sprintf("model: %q\nthreshold: 0.01", modeltest.ClassifierDir(t, "tiny-binary", "clean", "noise")),
				out("q", "the bank will pay money to the market ."), out("q", "ok")},
			{"Language", fmt.Sprintf("valid_languages: [en]\nmodel: %q\nthreshold: 0.01", modeltest.ClassifierDir(t, "tiny-binary", "en", "de")),
				out("q", "the bank will pay money to the market ."), out("q", "ok")},
			// The tiny NER model tags this Acme as ORG, that one as LOC.
			{"BanCompetitors", fmt.Sprintf("competitors: [Acme, Initech Solutions]\nmodel: %q", tinyDir("tiny-tokencls")),
				out("q", "I work at Acme GmbH in Zürich."), out("q", "We compared Acme Corp staff with Initech Solutions.")},
		}
		for _, c := range cases {
			t.Run(c.typ, func(t *testing.T) {
				s, err := Build(ctx, "output_scanners[0]", entry(t, c.typ, c.params), deps)
				if err != nil {
					t.Fatal(err)
				}
				res, err := s.Scan(ctx, c.flag)
				if err != nil || res.Valid || res.Method != scanner.MethodML {
					t.Fatalf("%q: %+v %v, want flagged by the model", c.flag.Output, res, err)
				}
				res, err = s.Scan(ctx, c.pass)
				if err != nil || !res.Valid {
					t.Fatalf("%q: %+v %v, want valid", c.pass.Output, res, err)
				}
				// Conformance with each model runs in the scanner's own
				// package (model_test.go), on both backends.
			})
		}
		if !strings.Contains(logs.String(), "scanner runs a user model") {
			t.Fatalf("start-up must log the user model:\n%s", logs.String())
		}
	})
}

func TestUserModelStartup(t *testing.T) {
	ctx := context.Background()
	h := userModelHub(t, inference.BackendPureGo)
	broken := modeltest.CopyDir(t, "tiny-nli")
	if err := os.WriteFile(filepath.Join(broken, "config.json"), []byte(`{"id2label": {"0": "yes", "1": "no"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	corrupt := modeltest.CopyDir(t, "tiny-nli")
	if err := os.WriteFile(filepath.Join(corrupt, "model.onnx"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ typ, params, want string }{
		{"ban_topics", "topics: [music]\nmodel: no/such-model", `output_scanners[0].params: model: model "no/such-model": neither a model registry id or name nor an existing local directory`},
		{"relevance", "model: ./no/such/dir", "output_scanners[0].params: model"},
		{"factual_consistency", fmt.Sprintf("model: %q", broken), "no entailment label"},
		{"factual_consistency", fmt.Sprintf("model: %q", corrupt), "output_scanners[0].params: model"},
		{"relevance", fmt.Sprintf("model: %q", tinyDir("tiny-nli")), "does not run"},         // NLI logits are not embeddings of the probe? see below
		{"factual_consistency", fmt.Sprintf("model: %q", tinyDir("tiny-embed")), "id2label"}, // an embedding model is no NLI model
		{"relevance", "model: x\npooling: max", "pooling"},
		{"emotion_detection", fmt.Sprintf("model: %q\nblocked_emotions: [anger, grief]", modeltest.ClassifierDir(t, "tiny-multilabel", "anger", "joy", "fear")),
			"output_scanners[0].params: emotion_detection: blocked_emotions[1]: model"},
		{"emotion_detection", "model: no/such-emotions", "output_scanners[0].params: model"},
		{"no_refusal", fmt.Sprintf("model: %q", biasDir(t)), "no refusal label among the model's labels [SAFE, INJECTION]"},
		{"no_refusal", "model: ./no/such/dir", "output_scanners[0].params: model"},
		{"malicious_urls", fmt.Sprintf("model: %q", biasDir(t)), "malicious labels"},
		{"ban_competitors", fmt.Sprintf("competitors: [Acme]\nmodel: %q\nentity_types: [COMPANY]", tinyDir("tiny-tokencls")),
			`output_scanners[0].params: ban_competitors: entity_types[0]: model`},
		{"ban_competitors", fmt.Sprintf("competitors: [Acme]\nmodel: %q", biasDir(t)), "no O label"},
		{"gibberish", fmt.Sprintf("model: %q", biasDir(t)), "gibberish labels"},
		{"language", fmt.Sprintf("valid_languages: [fr]\nmodel: %q", modeltest.ClassifierDir(t, "tiny-binary", "en", "de")), "params: language: valid_languages[0]: model"},
		{"code", fmt.Sprintf("languages: [rust]\nmodel: %q", modeltest.ClassifierDir(t, "tiny-binary", "Python", "Go")), "params: code: languages[0]: model"},
	} {
		_, err := Build(ctx, "output_scanners[0]", entry(t, c.typ, c.params), Deps{Hub: h})
		if c.typ == "relevance" && strings.Contains(c.params, "tiny-nli") {
			// A [batch, 3] output is read as a (3-wide) sentence embedding:
			// it runs. Nothing to assert beyond a clean build.
			if err != nil {
				t.Errorf("NLI logits as embeddings: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: error %v, want %q", c.typ, c.params, err, c.want)
		}
	}

	// A registry model that cannot be obtained: the built-in implementation
	// runs, and start-up says so; fail-closed makes it an error.
	var logs bytes.Buffer
	s, err := Build(ctx, "output_scanners[0]", entry(t, "ban_topics", "topics: [weapons, drugs]\nmodel: absent-nli"), Deps{Hub: h, Logger: logTo(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Scan(ctx, scanner.Input{Prompt: "How do I build a pipe bomb and cook meth?"})
	if err != nil || res.Valid || res.Method != scanner.MethodHeuristic {
		t.Fatalf("fallback scanner: %+v %v", res, err)
	}
	if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "built-in topic lexicons") || !strings.Contains(l, "absent-nli") {
		t.Fatalf("fallback must be logged at warn with both implementations:\n%s", l)
	}
	_, err = Build(ctx, "output_scanners[0]", entry(t, "ban_topics", "topics: [violence]\nmodel: absent-nli"), Deps{Hub: h, OnModelUnavailable: ModelFailClosed})
	if err == nil || !strings.Contains(err.Error(), "fails closed") || !errors.Is(err, registry.ErrOffline) {
		t.Fatalf("fail-closed: %v", err)
	}
	// Zero-shot topics have no lexicon to fall back to: a start-up error.
	if _, err := Build(ctx, "output_scanners[0]", entry(t, "ban_topics", "topics: [gambling]\nmodel: absent-nli"), Deps{Hub: h}); err == nil || !strings.Contains(err.Error(), "gambling") {
		t.Fatalf("fallback without a lexicon: %v", err)
	}
	// emotion_detection and no_refusal fall back to their built-in
	// lexicon and classifier the same way, or fail closed.
	for _, c := range []struct{ typ, params, instead, flag string }{
		{"emotion_detection", "model: absent-nli\nblocked_emotions: [anger]", "built-in emotion lexicon", "I am so angry and furious right now!"},
		{"no_refusal", "model: absent-nli", "built-in refusal classifier", "I'm sorry, but I can't help with that request."},
		{"malicious_urls", "model: absent-nli", "built-in URL features", "click javascript:alert(1)"},
		{"ban_competitors", "competitors: [Acme]\nmodel: absent-nli", "built-in gazetteer", "We compared Acme Corp staff."},
		{"code", "languages: [python]\nmodel: absent-nli", "built-in code detector", "```python\nimport os\nprint(os.getcwd())\n```"},
		{"gibberish", "model: absent-nli", "built-in character n-gram model", "asdkfj qwpoeiru zxmcnvb aslkdjf qwerpoiu"},
		{"language", "valid_languages: [en]\nmodel: absent-nli", "built-in identifier", "Это предложение написано на русском языке."},
	} {
		logs.Reset()
		s, err := Build(ctx, "output_scanners[0]", entry(t, c.typ, c.params), Deps{Hub: h, Logger: logTo(&logs)})
		if err != nil {
			t.Fatalf("%s fallback: %v", c.typ, err)
		}
		res, err := s.Scan(ctx, scanner.Input{Prompt: "q", Output: c.flag, Stage: scanner.StageOutput})
		if err != nil || res.Valid {
			t.Fatalf("%s fallback scanner: %+v %v", c.typ, res, err)
		}
		if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, c.instead) || !strings.Contains(l, "absent-nli") {
			t.Fatalf("%s fallback must be logged at warn with both implementations:\n%s", c.typ, l)
		}
		if _, err := Build(ctx, "output_scanners[0]", entry(t, c.typ, c.params), Deps{Hub: h, OnModelUnavailable: ModelFailClosed}); err == nil || !strings.Contains(err.Error(), "fails closed") {
			t.Fatalf("%s fail-closed: %v", c.typ, err)
		}
	}
	// Emotions only a model knows have no lexicon cue to fall back to.
	if _, err := Build(ctx, "output_scanners[0]", entry(t, "emotion_detection", "model: absent-nli\nblocked_emotions: [rage]"), Deps{Hub: h}); err == nil ||
		!strings.Contains(err.Error(), `output_scanners[0].params: blocked_emotions[0]: unknown emotion "rage"`) || !strings.Contains(err.Error(), "absent-nli") {
		t.Fatalf("emotion fallback without a lexicon label: %v", err)
	}
	// No hub at all (a caller building scanners by hand): fall back, logged.
	logs.Reset()
	if _, err := Build(ctx, "output_scanners[0]", entry(t, "factual_consistency", "model: example/tiny-nli"), Deps{Logger: logTo(&logs)}); err != nil || !strings.Contains(logs.String(), "no model hub") {
		t.Fatalf("no hub: %v\n%s", err, logs.String())
	}
}
