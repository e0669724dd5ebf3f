package registry

import (
	"os"
	"os/exec"
	"testing"
)

// execHelper re-runs the test binary as a separate process running only
// TestHelperProcess, with env added.
func execHelper(t *testing.T, env map[string]string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}
