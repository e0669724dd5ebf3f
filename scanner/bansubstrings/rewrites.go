package bansubstrings

// Rewrites reports whether the scanner may change the text (redaction), so
// that the pipeline runs it in its sequential rewriting phase.
func (s *Scanner) Rewrites() bool { return s.cfg.Redact }
