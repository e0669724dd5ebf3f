package health_test

import (
	"context"
	"fmt"

	"github.com/llmshield/llmshield/health"
)

func ExampleChecker() {
	c := health.NewChecker()
	_ = c.Register("models", health.ModelsCheck(health.ModelReporterFunc(func() health.ModelReport {
		return health.ModelReport{Loaded: 1, Failed: map[string]string{"toxicity": "checksum mismatch"}}
	})))
	_ = c.Register("canary", health.CanaryCheck(func(context.Context) error { return nil }), health.Critical())
	st := c.Run(context.Background())
	fmt.Println(st.Summary(), st.ExitCode())
	fmt.Println(st.Warnings)
	// Output:
	// degraded 1
	// [models: 1 model(s) failed to load: toxicity (checksum mismatch)]
}
