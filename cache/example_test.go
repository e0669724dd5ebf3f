package cache_test

import (
	"context"
	"fmt"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/scanner"
)

// lengthScanner flags long prompts; its fingerprint carries its setting.
type lengthScanner struct{ max int }

func (s lengthScanner) Name() string        { return "length" }
func (s lengthScanner) Fingerprint() string { return fmt.Sprintf("max=%d", s.max) }
func (s lengthScanner) Scan(_ context.Context, in scanner.Input) (scanner.Result, error) {
	r := scanner.Clean(in.Text(), scanner.MethodHeuristic)
	if len(in.Text()) > s.max {
		r.Valid, r.Risk = false, 1
	}
	return r, nil
}

func ExampleResults() {
	s := lengthScanner{max: 5}
	c, err := cache.ForScanner(s.Name(), s, cache.Production, nil, nil)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for _, p := range []string{"hello world", "hello world", "hi"} {
		in := scanner.Input{Prompt: p}
		r, k, hit := c.Lookup(ctx, in)
		if !hit {
			r, _ = s.Scan(ctx, in)
			c.Store(ctx, k, in, r)
		}
		fmt.Printf("valid=%v cached=%v\n", r.Valid, r.Cached)
	}
	fmt.Printf("%+v\n", c.Stats())
	// Output:
	// valid=false cached=false
	// valid=false cached=true
	// valid=true cached=false
	// {Hits:1 Misses:2 TotalRequests:3 HitRate:0.3333333333333333}
}
