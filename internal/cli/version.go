package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/llmshield/llmshield/internal/inference"
)

func (a *app) versionCommand() *cobra.Command {
	var backend string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, the Go runtime and the inference backend that would run models",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			version := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				version = bi.Main.Version
			}
			w := a.streams.Out
			fmt.Fprintf(w, "llmshield %s\n%s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			// Probed, not started: ONNX Runtime's library is loaded for its
			// version, its environment is not created (tens of ms).
			info, err := inference.ProbeRuntime(inference.RuntimeOptions{Backend: backend, Logger: a.log})
			if err != nil {
				fmt.Fprintf(w, "inference backend: unavailable: %v\n", err)
				return nil
			}
			fmt.Fprintf(w, "inference backend: %s\n", info)
			return nil
		},
	}
	cmd.Flags().StringVar(&backend, "backend", "", "backend to check: auto, ort or purego (default: $LLMSHIELD_BACKEND, else auto)")
	return cmd
}
