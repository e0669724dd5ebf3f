// Package rollout moves traffic from heuristic to ML scanners gradually and
// measures the change: percentage rollouts (Rollout), A/B groups
// (Experiment) and shadow comparisons (Shadow).
//
// Sticky decisions hash the experiment name and the user ID with XXH64
// (github.com/cespare/xxhash/v2, seed 0), a fixed, specified function: the
// same user gets the same decision in every process, on every platform and
// after restarts. Go's map hash and hash/maphash are randomised per process
// and must not be used for this. Golden values in the tests pin the
// mapping; changing the hash or the key layout moves users between groups
// and must be treated as a breaking change.
//
// Rollout and Experiment are plain values, safe for concurrent use once
// built. Shadow is safe for concurrent use.
package rollout

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cespare/xxhash/v2"
)

// Hash domains, so that a rollout and an experiment with the same name, or a
// user ID and a request key with the same text, fall into independent
// buckets.
const (
	domainRolloutUser    = "llmshield/rollout/user"
	domainRolloutRequest = "llmshield/rollout/request"
	domainExperiment     = "llmshield/experiment"
)

// unit maps (domain, name, id) to a number in [0, 1), uniformly for
// distinct inputs. The fields are separated by NUL bytes, which cannot
// occur in a config name; an ID containing NUL only changes its own bucket.
func unit(domain, name, id string) float64 {
	d := xxhash.New()
	_, _ = d.WriteString(domain)
	_, _ = d.WriteString("\x00")
	_, _ = d.WriteString(name)
	_, _ = d.WriteString("\x00")
	_, _ = d.WriteString(id)
	return float64(d.Sum64()>>11) * 0x1p-53
}

// Rollout sends Percent percent of traffic for the scanner Name down the
// new path.
//
// Sticky rollouts decide per user: the same user ID always gets the same
// answer, and raising Percent only adds users (nobody who had the new path
// loses it). Non-sticky rollouts, and sticky ones for a request without a
// user ID, decide per request: by hashing the request key when there is
// one (so a retried request gets the same answer), else by Rand.
type Rollout struct {
	Name    string  `json:"name" yaml:"name"`
	Percent float64 `json:"percent" yaml:"percent"` // 0 to 100
	Sticky  bool    `json:"sticky" yaml:"sticky"`
	// Rand returns a uniform float64 in [0, 1) for requests with neither a
	// usable user ID nor a request key; nil means math/rand/v2. It must be
	// safe for concurrent use.
	Rand func() float64 `json:"-" yaml:"-"`
}

// Validate reports a field that cannot be used.
func (r Rollout) Validate() error {
	if r.Name == "" {
		return errors.New("rollout name: must not be empty")
	}
	if math.IsNaN(r.Percent) || r.Percent < 0 || r.Percent > 100 {
		return fmt.Errorf("rollout %q percent: must be between 0 and 100, got %v", r.Name, r.Percent)
	}
	return nil
}

// Decide reports whether this request takes the new path. A Percent outside
// [0, 100] is clamped and NaN counts as 0; call Validate when loading config
// to reject such values.
func (r Rollout) Decide(userID, requestKey string) bool {
	switch {
	case !(r.Percent > 0): // also NaN
		return false
	case r.Percent >= 100:
		return true
	}
	var u float64
	switch {
	case r.Sticky && userID != "":
		u = unit(domainRolloutUser, r.Name, userID)
	case requestKey != "":
		u = unit(domainRolloutRequest, r.Name, requestKey)
	default:
		rnd := r.Rand
		if rnd == nil {
			rnd = rand.Float64
		}
		u = rnd()
	}
	return u*100 < r.Percent
}

// Group is one arm of an experiment. Weights are relative: groups of weight
// 1 and 3 get 25% and 75% of users.
type Group struct {
	Name   string  `json:"name" yaml:"name"`
	Weight float64 `json:"weight" yaml:"weight"`
}

// Experiment assigns users to groups, stably: the group depends only on
// the experiment name and the user ID, not on the process, the instance or
// the time.
type Experiment struct {
	Name   string  `json:"name" yaml:"name"`
	Groups []Group `json:"groups" yaml:"groups"`
}

// Validate reports the first field that cannot be used, by its path
// ("groups[1].weight").
func (e Experiment) Validate() error {
	if e.Name == "" {
		return errors.New("experiment name: must not be empty")
	}
	if len(e.Groups) == 0 {
		return fmt.Errorf("experiment %q groups: must not be empty", e.Name)
	}
	seen := make(map[string]int, len(e.Groups))
	var total float64
	for i, g := range e.Groups {
		if g.Name == "" {
			return fmt.Errorf("experiment %q groups[%d].name: must not be empty", e.Name, i)
		}
		if j, dup := seen[g.Name]; dup {
			return fmt.Errorf("experiment %q groups[%d].name: %q already used by groups[%d]", e.Name, i, g.Name, j)
		}
		seen[g.Name] = i
		if !validWeight(g.Weight) {
			return fmt.Errorf("experiment %q groups[%d].weight: must be positive and finite, got %v", e.Name, i, g.Weight)
		}
		total += g.Weight
	}
	if math.IsInf(total, 0) {
		return fmt.Errorf("experiment %q groups: the sum of the weights overflows", e.Name)
	}
	return nil
}

func validWeight(w float64) bool { return w > 0 && !math.IsInf(w, 0) }

// Assign returns userID's group. Group sizes are proportional to the
// weights. Groups with an invalid weight are skipped; if none is valid the
// zero Group is returned. Call Validate when loading config.
//
// Adding a group at the end, or changing weights, moves some users; keeping
// the groups and weights keeps every assignment.
func (e Experiment) Assign(userID string) Group {
	var total float64
	for _, g := range e.Groups {
		if validWeight(g.Weight) {
			total += g.Weight
		}
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return Group{}
	}
	target := unit(domainExperiment, e.Name, userID) * total
	var cum float64
	last := -1
	for i, g := range e.Groups {
		if !validWeight(g.Weight) {
			continue
		}
		cum += g.Weight
		last = i
		if target < cum {
			return g
		}
	}
	return e.Groups[last] // rounding: target within an ulp of total
}
