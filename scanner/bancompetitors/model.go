package bancompetitors

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modelscan"
)

// NER finds entities; *classifier.TokenClassifier implements it.
type NER interface {
	Entities(ctx context.Context, text string, agg classifier.Aggregation) ([]classifier.Entity, error)
	// Types are the entity types the model's labels name ("ORG").
	Types() []string
	// Version identifies the weights (for fingerprints).
	Version() string
}

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithNER gives the scanner the model that Config.Model names
// (scanner/builtin loads it through the model hub).
func WithNER(m NER) Option { return func(s *Scanner) { s.ner = m } }

// validateModel checks the model settings (used or not, they must be
// well formed).
func (c Config) validateModel() error {
	if _, err := classifier.ParseAggregation(c.AggregationStrategy); err != nil {
		return fmt.Errorf("aggregation_strategy: %w", err)
	}
	if c.Model != "" && len(c.EntityTypes) == 0 {
		return fmt.Errorf("entity_types: at least one entity type is required with a model")
	}
	for i, t := range c.EntityTypes {
		if strings.TrimSpace(t) == "" || t != strings.TrimSpace(t) {
			return fmt.Errorf("entity_types[%d]: %q is not an entity type", i, t)
		}
	}
	return nil
}

// checkModel checks the model against the configuration: every entity
// type must be one of its types (else nothing could ever match).
func (s *Scanner) checkModel() error {
	if s.ner == nil {
		return nil
	}
	have := s.ner.Types()
	s.types = map[string]bool{}
	for i, t := range s.cfg.EntityTypes {
		if !slices.Contains(have, t) {
			return fmt.Errorf("entity_types[%d]: model %s has no entity type %q (its types: %s)", i, s.cfg.Model, t, strings.Join(have, ", "))
		}
		s.types[t] = true
	}
	s.agg, _ = classifier.ParseAggregation(s.cfg.AggregationStrategy)
	return nil
}

// modelFingerprint is what of the model changes verdicts ("" without one).
func (s *Scanner) modelFingerprint() string {
	if s.ner == nil {
		return ""
	}
	types := slices.Sorted(func(yield func(string) bool) {
		for t := range s.types {
			if !yield(t) {
				return
			}
		}
	})
	return fmt.Sprintf("%s|%s|%s", s.ner.Version(), strings.Join(types, ","), s.agg)
}

// inEntities keeps the gazetteer hits that overlap an entity of the
// configured types scoring at least the threshold; each kept hit grows to
// cover those entities and scores the lower of its and their best score.
// The model runs only when the gazetteer matched.
func (s *Scanner) inEntities(ctx context.Context, text string, hits []hit) ([]hit, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	ents, err := s.ner.Entities(ctx, text, s.agg)
	if err != nil {
		return nil, modelscan.Err(Name, s.cfg.Model, err)
	}
	out := hits[:0]
	for _, h := range hits {
		var best *classifier.Entity
		a, b := h.a, h.b
		for i := range ents {
			e := &ents[i]
			if !s.types[classifier.EntityType(e.Type)] || e.Score < s.cfg.Threshold || e.Start < 0 || e.End > len(text) || e.End <= h.a || h.b <= e.Start {
				continue
			}
			a, b = min(a, e.Start), max(b, e.End)
			if best == nil || e.Score > best.Score {
				best = e
			}
		}
		if best == nil {
			continue
		}
		h.detail = fmt.Sprintf("%s entity %q (score %.2f): %s", best.Type, text[a:b], best.Score, h.detail)
		h.a, h.b, h.score = a, b, min(h.score, best.Score)
		out = append(out, h)
	}
	return out, nil
}
