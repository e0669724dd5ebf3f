package llmshield

import "github.com/llmshield/llmshield/scanner"

// WithVault scans within a conversation: anonymize stores the values it
// replaces in v, and deanonymize restores them from v in the answer. Use
// one vault per conversation (see scanner.Vault); without one, anonymize
// keeps its values for the single call and deanonymize restores nothing.
func WithVault(v *scanner.Vault) ScanOption { return func(o *scanOptions) { o.vault = v } }
