//go:build !race

package steps

// raceDetector says the tests run under -race.
const raceDetector = false
