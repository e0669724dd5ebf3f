package builtin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/bantopics"
	"github.com/llmshield/llmshield/scanner/bias"
	"github.com/llmshield/llmshield/scanner/emotiondetection"
	"github.com/llmshield/llmshield/scanner/factualconsistency"
	"github.com/llmshield/llmshield/scanner/maliciousurls"
	"github.com/llmshield/llmshield/scanner/norefusal"
	"github.com/llmshield/llmshield/scanner/relevance"
)

// ModelParams is implemented by the params of scanners that have a
// built-in implementation and run a user's model instead when `model`
// names one (ban_topics, factual_consistency, relevance, bias,
// emotion_detection, no_refusal).
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

func buildBanTopics(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	cfg := *p.(*bantopics.Config)
	if cfg.Model == "" {
		return bantopics.New(cfg)
	}
	m, ok, err := userModel(ctx, d, bantopics.Name, cfg.Model, "built-in topic lexicons", (*classifier.Hub).GetPair,
		func(ctx context.Context, m *classifier.PairClassifier) error {
			_, err := m.ZeroShot(ctx, probeText, cfg.Topics[:1], cfg.HypothesisTemplate, cfg.MultiLabel)
			return err
		})
	if err != nil || !ok {
		if err != nil {
			return nil, err
		}
		cfg.Model = "" // the built-in lexicons: topics must be built-in names
		return bantopics.New(cfg)
	}
	return bantopics.New(cfg, bantopics.WithNLI(m))
}

func buildFactualConsistency(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	cfg := *p.(*factualconsistency.Config)
	if cfg.Model == "" {
		return factualconsistency.New(cfg)
	}
	m, ok, err := userModel(ctx, d, factualconsistency.Name, cfg.Model, "built-in claim check", (*classifier.Hub).GetPair,
		func(ctx context.Context, m *classifier.PairClassifier) error {
			_, err := m.Entailment(ctx, probeText, probeText)
			return err
		})
	if err != nil || !ok {
		if err != nil {
			return nil, err
		}
		cfg.Model = ""
		return factualconsistency.New(cfg)
	}
	return factualconsistency.New(cfg, factualconsistency.WithNLI(m))
}

func buildRelevance(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	cfg := *p.(*relevance.Config)
	if cfg.Model == "" {
		return relevance.New(cfg)
	}
	pooling, err := classifier.ParsePooling(cfg.Pooling)
	if err != nil {
		return nil, paramError{fmt.Errorf("pooling: %w", err)}
	}
	m, ok, err := userModel(ctx, d, relevance.Name, cfg.Model, "built-in lexical similarity (its own default threshold)",
		func(h *classifier.Hub, ctx context.Context, ref classifier.Ref) (*classifier.Embedder, error) {
			e, err := h.GetEmbedder(ctx, ref)
			if err != nil {
				return nil, err
			}
			return e.WithPooling(pooling, false)
		},
		func(ctx context.Context, m *classifier.Embedder) error {
			_, err := m.Embed(ctx, probeText)
			return err
		})
	if err != nil || !ok {
		if err != nil {
			return nil, err
		}
		// The threshold was set for embedding similarity; the lexical
		// method has its own scale.
		cfg.Model, cfg.Threshold = "", 0
		return relevance.New(cfg)
	}
	return relevance.New(cfg, relevance.WithEmbedder(m))
}

func buildBias(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	cfg := *p.(*bias.Config)
	if cfg.Model == "" {
		return bias.New(cfg)
	}
	m, ok, err := userModel(ctx, d, bias.Name, cfg.Model, "built-in lexicon baseline", (*classifier.Hub).Get,
		func(ctx context.Context, m *classifier.Classifier) error {
			_, err := m.Classify(ctx, probeText, classifier.MatchTruncate, nil)
			return err
		})
	if err != nil || !ok {
		if err != nil {
			return nil, err
		}
		cfg.Model = ""
		return bias.New(cfg)
	}
	return bias.New(cfg, bias.WithClassifier(m))
}

// probeClassifier runs a sequence classifier once on the probe text.
func probeClassifier(ctx context.Context, m *classifier.Classifier) error {
	_, err := m.Classify(ctx, probeText, classifier.MatchTruncate, nil)
	return err
}

func buildEmotionDetection(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	cfg := *p.(*emotiondetection.Config)
	if cfg.Model == "" {
		return emotiondetection.New(cfg)
	}
	m, ok, err := userModel(ctx, d, emotiondetection.Name, cfg.Model, "built-in emotion lexicon", (*classifier.Hub).Get, probeClassifier)
	if err != nil || !ok {
		if err != nil {
			return nil, err
		}
		model := cfg.Model
		cfg.Model = "" // the lexicon: blocked_emotions must be GoEmotions labels
		if err := cfg.Validate(); err != nil {
			return nil, paramError{fmt.Errorf("%w (the built-in lexicon runs instead of model %s, which cannot be obtained)", err, model)}
		}
		return emotiondetection.New(cfg)
	}
	s, err := emotiondetection.New(cfg, emotiondetection.WithClassifier(m))
	if err != nil {
		return nil, paramError{err}
	}
	return s, nil
}

func buildMaliciousURLs(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	cfg := *p.(*maliciousurls.Config)
	if cfg.Model == "" {
		return maliciousurls.New(cfg)
	}
	m, ok, err := userModel(ctx, d, maliciousurls.Name, cfg.Model, "built-in URL features", (*classifier.Hub).Get,
		func(ctx context.Context, m *classifier.Classifier) error {
			if _, err := maliciousurls.MaliciousLabels(m.Labels()); err != nil {
				return err
			}
			return probeClassifier(ctx, m)
		})
	if err != nil || !ok {
		if err != nil {
			return nil, err
		}
		cfg.Model = ""
		return maliciousurls.New(cfg)
	}
	return maliciousurls.New(cfg, maliciousurls.WithClassifier(m))
}

func buildNoRefusal(ctx context.Context, p any, d Deps) (scanner.Scanner, error) {
	cfg := *p.(*norefusal.Config)
	if cfg.Model == "" {
		return norefusal.New(cfg)
	}
	m, ok, err := userModel(ctx, d, norefusal.Name, cfg.Model, "built-in refusal classifier", (*classifier.Hub).Get,
		func(ctx context.Context, m *classifier.Classifier) error {
			if _, err := norefusal.RefusalLabel(m.Labels()); err != nil {
				return err
			}
			return probeClassifier(ctx, m)
		})
	if err != nil || !ok {
		if err != nil {
			return nil, err
		}
		cfg.Model = ""
		return norefusal.New(cfg)
	}
	return norefusal.New(cfg, norefusal.WithClassifier(m))
}
