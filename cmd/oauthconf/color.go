package main

import (
	"io"
	"os"
	"regexp"
)

// Colours in the terminal report: only on a terminal, never with NO_COLOR
// (https://no-color.org) or TERM=dumb. Pipes, files and CI logs get plain text.

// useColor reports whether w is a terminal that wants colours.
func useColor(w io.Writer, getenv func(string) string) bool {
	f, ok := w.(*os.File)
	if !ok || getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// verdictWord matches the verdict word that opens a report line.
var verdictWord = regexp.MustCompile(`(?m)^(\s*)(FAIL|WARN|XFAIL|NOTE|PASS)\b`)

// colorize paints the verdict words of text: FAIL red, WARN yellow, XFAIL
// and NOTE cyan, PASS green.
func colorize(text string) string {
	codes := map[string]string{"FAIL": "31", "WARN": "33", "XFAIL": "36", "NOTE": "36", "PASS": "32"}
	return verdictWord.ReplaceAllStringFunc(text, func(m string) string {
		sub := verdictWord.FindStringSubmatch(m)
		return sub[1] + "\x1b[" + codes[sub[2]] + "m" + sub[2] + "\x1b[0m"
	})
}
