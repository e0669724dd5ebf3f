package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/llmshield/llmshield/internal/model/registry"
)

func (a *app) modelsCommand() *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List, download, verify and locate models",
	}
	cmd.PersistentFlags().StringVar(&cfgPath, "config", "", "configuration file (its models: section sets the cache dir, an extra registry, offline mode)")
	// withRegistry runs f with the registry that the configuration sets up.
	withRegistry := func(f func(cmd *cobra.Command, args []string, r *registry.Registry) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			r, err := a.registry(cfgPath)
			if err != nil {
				return err
			}
			return f(cmd, args, r)
		}
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the models in the registry and whether they are present",
		Args:  cobra.NoArgs,
		RunE: withRegistry(func(cmd *cobra.Command, _ []string, r *registry.Registry) error {
			return registry.WriteList(a.streams.Out, r)
		}),
	}, &cobra.Command{
		Use:   "pull NAME",
		Short: "Download a model (by id or Hugging Face name) and verify its files",
		Args:  cobra.ExactArgs(1),
		RunE: withRegistry(func(cmd *cobra.Command, args []string, r *registry.Registry) error {
			var progress registry.ProgressFunc
			if f, ok := a.streams.Err.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				bars := map[string]*progressbar.ProgressBar{}
				progress = func(file string, done, total int64) {
					b := bars[file]
					if b == nil {
						b = progressbar.DefaultBytes(total, file)
						bars[file] = b
					}
					_ = b.Set64(done)
				}
			}
			files, err := r.Pull(cmd.Context(), args[0], progress)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.streams.Out, files.Dir)
			return nil
		}),
	}, &cobra.Command{
		Use:   "verify",
		Short: "Re-hash every present model file against the registry (exit 1 on a mismatch)",
		Args:  cobra.NoArgs,
		RunE: withRegistry(func(cmd *cobra.Command, _ []string, r *registry.Registry) error {
			// The built-in models ship inside the binary: put them in the
			// cache first (offline, hash-checked), so that a fresh machine
			// verifies what it will actually load.
			if err := materializeEmbedded(cmd.Context(), r); err != nil {
				return err
			}
			results, err := r.Verify(cmd.Context())
			if err != nil {
				return err
			}
			ok, err := registry.WriteVerify(a.streams.Out, results)
			if err != nil {
				return err
			}
			if !ok {
				return &exitError{code: ExitFlagged, err: errors.New("some model files failed verification")}
			}
			return nil
		}),
	}, &cobra.Command{
		Use:   "path NAME",
		Short: "Print the directory holding a model's files",
		Args:  cobra.ExactArgs(1),
		RunE: withRegistry(func(cmd *cobra.Command, args []string, r *registry.Registry) error {
			if e, err := r.Lookup(args[0]); err == nil && e.Source() == registry.SourceEmbedded {
				if _, err := r.EnsureID(cmd.Context(), e.ID); err != nil {
					return err
				}
			}
			p, err := r.Path(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(a.streams.Out, p)
			return nil
		}),
	})
	return cmd
}

// materializeEmbedded copies every built-in model into the cache (a no-op
// when already there and intact).
func materializeEmbedded(ctx context.Context, r *registry.Registry) error {
	for _, e := range r.List() {
		if e.Source() != registry.SourceEmbedded {
			continue
		}
		if _, err := r.EnsureID(ctx, e.ID); err != nil {
			return fmt.Errorf("built-in model %s: %w", e.ID, err)
		}
	}
	return nil
}
