package rulescan

import "github.com/llmshield/llmshield/scanner"

// ShellWith returns the shell of the scanner name, which suits stages,
// with the fingerprint fp that the scanner computed itself: for scanners
// that may run a user model, whose fingerprint names the model's version
// and whatever else (a blocklist file's contents, the model's labels)
// decides their verdicts besides the configuration.
func ShellWith(name string, stages scanner.Stage, fp string) Shell {
	return Shell{name: name, stages: stages, fp: fp}
}
