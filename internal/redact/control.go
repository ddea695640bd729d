package redact

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// EscapeControl makes text from a target safe to print on a terminal or put
// in Markdown or HTML: C0 control characters other than newline and tab
// (ESC, CR, BEL, …), DEL, C1 controls, Unicode bidirectional overrides and
// isolates, and invalid UTF-8 bytes are shown as Go escapes (\x1b, \u202e), so
// a server cannot clear the screen, move the cursor or reorder what is shown.
func EscapeControl(s string) string { return escape(s, "\n\t") }

// EscapeLine is EscapeControl for one line: newlines and tabs are escaped too.
func EscapeLine(s string) string { return escape(s, "") }

func escape(s, keep string) string {
	if !needsEscape(s, keep) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r) && !strings.ContainsRune(keep, r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsEscape(s, keep string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || (unsafeRune(r) && !strings.ContainsRune(keep, r)) {
			return true
		}
		i += n
	}
	return false
}

// unsafeRune reports whether r can change how a terminal or a browser shows
// the text around it.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidi marks, embeddings, overrides and isolates
	case r == 0x2028 || r == 0x2029 || r == 0xfeff:
		return true // line and paragraph separators, BOM
	}
	return false
}
