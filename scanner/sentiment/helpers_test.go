package sentiment

// heuristicConfig is the default configuration with the model off and the
// given threshold: the Scanner is then its heuristic alone, which these
// tests measure without a model.
func heuristicConfig(threshold float64) Config {
	c := DefaultConfig()
	c.Threshold = threshold
	c.ML.Enabled = false
	return c
}

// newHeuristicOnly builds the scanner of heuristicConfig(threshold).
func newHeuristicOnly(threshold float64) (*Scanner, error) { return New(heuristicConfig(threshold)) }
