//go:build !race

package promptinjection

const raceEnabled = false
