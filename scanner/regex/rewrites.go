package regex

// Rewrites reports whether the scanner may change the text (redaction on a
// deny list), so that the pipeline runs it in its sequential rewriting phase.
func (s *Scanner) Rewrites() bool { return s.cfg.Redact && s.cfg.IsBlocked }
