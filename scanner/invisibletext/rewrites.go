package invisibletext

// Rewrites reports true: the scanner removes invisible characters from the
// text, so the pipeline runs it in its sequential rewriting phase, before
// the detectors see the text.
func (s *Scanner) Rewrites() bool { return true }
