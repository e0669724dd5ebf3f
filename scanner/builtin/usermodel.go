package builtin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/bancompetitors"
	"github.com/llmshield/llmshield/scanner/bantopics"
	"github.com/llmshield/llmshield/scanner/bias"
	"github.com/llmshield/llmshield/scanner/code"
	"github.com/llmshield/llmshield/scanner/emotiondetection"
	"github.com/llmshield/llmshield/scanner/factualconsistency"
	"github.com/llmshield/llmshield/scanner/gibberish"
	"github.com/llmshield/llmshield/scanner/language"
	"github.com/llmshield/llmshield/scanner/maliciousurls"
	"github.com/llmshield/llmshield/scanner/norefusal"
	"github.com/llmshield/llmshield/scanner/relevance"
)

// ModelParams is implemented by the params of scanners that have a
// built-in implementation and run a user's model instead when `model`
// names one (ban_topics, factual_consistency, relevance, bias,
// emotion_detection, no_refusal, malicious_urls, ban_competitors, code,
// gibberish, language).
type ModelParams interface {
	ConfiguredModel() string
}

// ModelPolicy says what such a scanner does at start-up when the model
// its configuration names cannot be obtained (a registry model that is not
// downloaded while offline, a failed download, a checksum mismatch).
type ModelPolicy int

const (
	// ModelFallBack (the default) runs the scanner's built-in
	// implementation instead and logs a warning naming both.
	ModelFallBack ModelPolicy = iota
	// ModelFailClosed makes it a start-up error.
	ModelFailClosed
)

// modelUnavailable is the one place that decides what happens when a
// configured model cannot be obtained: an error with ModelFailClosed,
// else a warning saying which implementation the scanner runs instead.
// The deployment-wide policy models.on_unavailable feeds Deps.OnModelUnavailable.
func modelUnavailable(d Deps, scannerName, model, instead string, cause error) error {
	if d.OnModelUnavailable == ModelFailClosed {
		return modelErr("%q cannot be obtained and the deployment fails closed: %w", model, cause)
	}
	d.logger().Warn("configured model unavailable; the scanner runs its built-in implementation instead",
		"scanner", scannerName, "instance", d.Instance, "model", model, "instead", instead, "error", cause)
	return nil
}

func (d Deps) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// paramError is an error about one parameter found while building (not
// by Validate); Build reports it under the entry's params key.
type paramError struct{ err error }

func (e paramError) Error() string { return e.err.Error() }
func (e paramError) Unwrap() error { return e.err }

func modelErr(format string, args ...any) error {
	return paramError{fmt.Errorf("model: "+format, args...)}
}

// errNoHub explains a fallback when the caller supplied no model hub.
var errNoHub = errors.New("no model hub was supplied to build the scanner")

// userModel loads, at start-up, the model a scanner's `model` parameter
// names and runs probe on it, so that a model of the wrong kind (no
// entailment label, wrong output shape, corrupt file) stops start-up with
// an error naming the field. An id that is neither a registry id or name
// nor an existing directory is an error too. ok is false when the model
// cannot be obtained and the scanner is to run its built-in
// implementation (already logged).
func userModel[M any](ctx context.Context, d Deps, scannerName, id, instead string,
	load func(*classifier.Hub, context.Context, classifier.Ref) (M, error), probe func(context.Context, M) error,
) (m M, ok bool, err error) {
	h := d.Hub
	if h == nil {
		return m, false, modelUnavailable(d, scannerName, id, instead, errNoHub)
	}
	if err := h.Known(id); err != nil {
		return m, false, modelErr("%w", err)
	}
	if _, err := h.Files(ctx, id); err != nil {
		if classifier.IsLocalDir(id) {
			return m, false, modelErr("%w", err)
		}
		return m, false, modelUnavailable(d, scannerName, id, instead, err)
	}
	if m, err = load(h, ctx, classifier.Ref{ID: id}); err != nil {
		return m, false, modelErr("%q: %w", id, err)
	}
	if err := probe(ctx, m); err != nil {
		return m, false, modelErr("%q does not run: %w", id, err)
	}
	d.logger().Info("scanner runs a user model", "scanner", scannerName, "instance", d.Instance, "model", id)
	return m, true, nil
}

const probeText = "This is a short probe sentence."

// modelBuild builds a scanner of config C that runs a user model M (opened
// with load and tried with probe at start-up) when the config's model
// field names one, and its built-in implementation otherwise or, by
// policy, when the model cannot be obtained.
type modelBuild[C, M, O any, S scanner.Scanner] struct {
	name    string
	instead string // the built-in implementation, for the fallback warning
	model   func(*C) *string
	load    func(*classifier.Hub, context.Context, classifier.Ref) (M, error)
	probe   func(context.Context, C, M) error
	new     func(C, ...O) (S, error)
	with    func(M) O
	// fallback adjusts the config for the built-in implementation that
	// runs instead of the model it names (nil: only the model is cleared).
	fallback func(cfg *C, model string) error
}

func (b modelBuild[C, M, O, S]) build(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	cfg := *p.(*C)
	id := *b.model(&cfg)
	var opts []O
	if id != "" {
		m, ok, err := userModel(ctx, d, b.name, id, b.instead, b.load, func(ctx context.Context, m M) error { return b.probe(ctx, cfg, m) })
		switch {
		case err != nil:
			return nil, err
		case ok:
			opts = append(opts, b.with(m))
		default:
			*b.model(&cfg) = ""
			if b.fallback != nil {
				if err := b.fallback(&cfg, id); err != nil {
					return nil, err
				}
			}
		}
	}
	s, err := b.new(cfg, opts...)
	if err != nil {
		if len(opts) > 0 {
			return nil, paramError{err}
		}
		return nil, err
	}
	return s, nil
}

// probeClassifier runs a sequence classifier once on the probe text.
func probeClassifier(ctx context.Context, m *classifier.Classifier) error {
	_, err := m.Classify(ctx, probeText, classifier.MatchTruncate, nil)
	return err
}

// probeLabels checks the classifier's labels with labels (a scanner's own
// label convention) before probing it.
func probeLabels[C any, T any](labels func([]string) (T, error)) func(context.Context, C, *classifier.Classifier) error {
	return func(ctx context.Context, _ C, m *classifier.Classifier) error {
		if _, err := labels(m.Labels()); err != nil {
			return err
		}
		return probeClassifier(ctx, m)
	}
}

func buildBanTopics(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	return modelBuild[bantopics.Config, *classifier.PairClassifier, bantopics.Option, *bantopics.Scanner]{
		name: bantopics.Name, instead: "built-in topic lexicons", // topics must then be built-in names
		model: func(c *bantopics.Config) *string { return &c.Model },
		load:  (*classifier.Hub).GetPair,
		probe: func(ctx context.Context, c bantopics.Config, m *classifier.PairClassifier) error {
			_, err := m.ZeroShot(ctx, probeText, c.Topics[:1], c.HypothesisTemplate, c.MultiLabel)
			return err
		},
		new: bantopics.New, with: func(m *classifier.PairClassifier) bantopics.Option { return bantopics.WithNLI(m) },
	}.build(ctx, p, d)
}

func buildFactualConsistency(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	return modelBuild[factualconsistency.Config, *classifier.PairClassifier, factualconsistency.Option, *factualconsistency.Scanner]{
		name: factualconsistency.Name, instead: "built-in claim check",
		model: func(c *factualconsistency.Config) *string { return &c.Model },
		load:  (*classifier.Hub).GetPair,
		probe: func(ctx context.Context, _ factualconsistency.Config, m *classifier.PairClassifier) error {
			_, err := m.Entailment(ctx, probeText, probeText)
			return err
		},
		new: factualconsistency.New, with: func(m *classifier.PairClassifier) factualconsistency.Option { return factualconsistency.WithNLI(m) },
	}.build(ctx, p, d)
}

func buildRelevance(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	pooling, err := classifier.ParsePooling(p.(*relevance.Config).Pooling)
	if err != nil {
		return nil, paramError{fmt.Errorf("pooling: %w", err)}
	}
	return modelBuild[relevance.Config, *classifier.Embedder, relevance.Option, *relevance.Scanner]{
		name: relevance.Name, instead: "built-in lexical similarity (its own default threshold)",
		model: func(c *relevance.Config) *string { return &c.Model },
		load: func(h *classifier.Hub, ctx context.Context, ref classifier.Ref) (*classifier.Embedder, error) {
			e, err := h.GetEmbedder(ctx, ref)
			if err != nil {
				return nil, err
			}
			return e.WithPooling(pooling, false)
		},
		probe: func(ctx context.Context, _ relevance.Config, m *classifier.Embedder) error {
			_, err := m.Embed(ctx, probeText)
			return err
		},
		new: relevance.New, with: func(m *classifier.Embedder) relevance.Option { return relevance.WithEmbedder(m) },
		// The threshold was set for embedding similarity; the lexical
		// method has its own scale.
		fallback: func(c *relevance.Config, _ string) error { c.Threshold = 0; return nil },
	}.build(ctx, p, d)
}

// classifierBuild is a modelBuild for a scanner that runs a user sequence
// classifier, which with (the scanner's WithClassifier) hands to it.
func classifierBuild[C, O any, S scanner.Scanner](name, instead string, model func(*C) *string, new func(C, ...O) (S, error), with func(classifier.Model) O) modelBuild[C, *classifier.Classifier, O, S] {
	return modelBuild[C, *classifier.Classifier, O, S]{name: name, instead: instead, model: model, load: (*classifier.Hub).Get,
		probe: func(ctx context.Context, _ C, m *classifier.Classifier) error { return probeClassifier(ctx, m) }, new: new,
		with: func(m *classifier.Classifier) O { return with(m) }}
}

// labelledBuild is a classifierBuild for a scanner that picks the labels
// it reads from the model's with labels (its own label convention); the
// start-up probe checks them first.
func labelledBuild[C, O any, S scanner.Scanner, T any](name, instead string, model func(*C) *string, new func(C, ...O) (S, error), with func(classifier.Model) O,
	labels func([]string) (T, error),
) modelBuild[C, *classifier.Classifier, O, S] {
	b := classifierBuild(name, instead, model, new, with)
	b.probe = probeLabels[C](labels)
	return b
}

func buildBias(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	return classifierBuild(bias.Name, "built-in lexicon baseline", func(c *bias.Config) *string { return &c.Model },
		bias.New, bias.WithClassifier).build(ctx, p, d)
}

func buildEmotionDetection(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	b := classifierBuild(emotiondetection.Name, "built-in emotion lexicon", func(c *emotiondetection.Config) *string { return &c.Model },
		emotiondetection.New, emotiondetection.WithClassifier)
	// The lexicon: blocked_emotions must be GoEmotions labels.
	b.fallback = func(c *emotiondetection.Config, model string) error {
		if err := c.Validate(); err != nil {
			return paramError{fmt.Errorf("%w (the built-in lexicon runs instead of model %s, which cannot be obtained)", err, model)}
		}
		return nil
	}
	return b.build(ctx, p, d)
}

func buildMaliciousURLs(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	return labelledBuild(maliciousurls.Name, "built-in URL features", func(c *maliciousurls.Config) *string { return &c.Model },
		maliciousurls.New, maliciousurls.WithClassifier, maliciousurls.MaliciousLabels).build(ctx, p, d)
}

func buildNoRefusal(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	return labelledBuild(norefusal.Name, "built-in refusal classifier", func(c *norefusal.Config) *string { return &c.Model },
		norefusal.New, norefusal.WithClassifier, norefusal.RefusalLabel).build(ctx, p, d)
}

func buildBanCompetitors(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	return modelBuild[bancompetitors.Config, *classifier.TokenClassifier, bancompetitors.Option, *bancompetitors.Scanner]{
		name: bancompetitors.Name, instead: "built-in gazetteer without entity check",
		model: func(c *bancompetitors.Config) *string { return &c.Model },
		load:  (*classifier.Hub).GetTokenClassifier,
		probe: func(ctx context.Context, c bancompetitors.Config, m *classifier.TokenClassifier) error {
			_, err := m.Entities(ctx, probeText, classifier.Aggregation(c.AggregationStrategy))
			return err
		},
		new: bancompetitors.New, with: func(m *classifier.TokenClassifier) bancompetitors.Option { return bancompetitors.WithNER(m) },
	}.build(ctx, p, d)
}

func buildCode(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	return classifierBuild(code.Name, "built-in code detector", func(c *code.Config) *string { return &c.Model },
		code.New, code.WithClassifier).build(ctx, p, d)
}

func buildGibberish(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	return labelledBuild(gibberish.Name, "built-in character n-gram model", func(c *gibberish.Config) *string { return &c.Model },
		gibberish.New, gibberish.WithClassifier, gibberish.GibberishLabels).build(ctx, p, d)
}

func buildLanguage(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	return classifierBuild(language.Name, "built-in identifier (whatlanggo and scripts)", func(c *language.Config) *string { return &c.Model },
		language.New, language.WithClassifier).build(ctx, p, d)
}
