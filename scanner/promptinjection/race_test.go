//go:build race

package promptinjection

// raceEnabled: the race detector slows the single-goroutine matcher
// comparisons (TestAnchoredDFAMatchesRegexp, TestSearchAllMatchesRegexp)
// about fifteenfold while it has nothing to check in them, so under -race
// they compare on a tenth of the dataset rows; plain `go test` runs them in
// full.
const raceEnabled = true
