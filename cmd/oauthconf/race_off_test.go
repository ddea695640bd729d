//go:build !race

package main

// raceDetector says the tests run under -race.
const raceDetector = false
