package redact

import (
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Minimum lengths of the values a Redactor hides: shorter values would hide
// ordinary words.
const (
	minSecret = 3
	minToken  = 8
	// shortPrefix is how much of a known token stays visible, so that a reader
	// can tell tokens apart.
	shortPrefix = 6
)

// A Redactor hides known secret values in every form they take (see Forms and
// BasicForms), then, in Text, the values of secret parameters, headers, JSON
// fields and credentials it was not told about. Phrases passed to Keep stay
// readable even when a secret equals a word in them ("profile shopware",
// where the demo Shopware password is "shopware").
//
// The zero value and a nil *Redactor hide only by name. A Redactor is safe
// for concurrent use; Secrets, Tokens, Basic and Keep may be called at any time.
type Redactor struct {
	mu    sync.RWMutex
	forms []form // longest first
	keep  []string
	max   int // longest form
}

// form is one string to hide; short forms keep a prefix (known tokens), and
// base64 forms take their "=" padding with them.
type form struct {
	s          string
	short, pad bool
}

// New returns a Redactor that hides every form of secrets.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Secrets(secrets...)
	return r
}

// Secrets adds values to hide whole, in every form; values shorter than 3
// bytes are ignored. It returns r.
func (r *Redactor) Secrets(values ...string) *Redactor {
	for _, v := range values {
		if len(v) >= minSecret {
			r.add(false, Forms(v)...)
		}
	}
	return r
}

// Tokens adds token and code values seen during a run: they are shortened to
// their first six characters and "…" in every form; values shorter than 8
// bytes are ignored. It returns r.
func (r *Redactor) Tokens(values ...string) *Redactor {
	for _, v := range values {
		if len(v) >= minToken {
			r.add(true, Forms(v)...)
		}
	}
	return r
}

// Basic adds the HTTP Basic credentials of client id with secret (see
// BasicForms), and secret itself. It returns r.
func (r *Redactor) Basic(id, secret string) *Redactor {
	if len(secret) < minSecret {
		return r
	}
	r.Secrets(secret)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range BasicForms(id, secret) {
		r.forms = append(r.forms, form{s: f, pad: true})
		r.max = max(r.max, len(f)+2)
	}
	r.sortForms()
	return r
}

// Keep adds phrases that are never hidden, even when a secret occurs in them.
// A secret that contains a kept phrase is still hidden. It returns r.
func (r *Redactor) Keep(phrases ...string) *Redactor {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range phrases {
		if p != "" {
			r.keep = append(r.keep, p)
		}
	}
	return r
}

func (r *Redactor) add(short bool, forms ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range forms {
		r.forms = append(r.forms, form{s: f, short: short})
		r.max = max(r.max, len(f))
	}
	r.sortForms()
}

func (r *Redactor) sortForms() {
	sort.SliceStable(r.forms, func(i, j int) bool { return len(r.forms[i].s) > len(r.forms[j].s) })
}

// Known hides the known secrets and tokens in s, and nothing else.
func (r *Redactor) Known(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.forms) == 0 {
		return s
	}
	mask := make([]byte, len(s)) // 0 visible, 1 shortened, 2 hidden
	kept := r.keptSpans(s)
	hit := false
	for _, f := range r.forms {
		for off := 0; ; {
			i := strings.Index(s[off:], f.s)
			if i < 0 {
				break
			}
			i += off
			j := i + len(f.s)
			for k := 0; f.pad && k < 2 && j < len(s) && s[j] == '='; k++ {
				j++
			}
			off = i + 1
			if within(kept, i, j) {
				continue
			}
			hit = true
			m := byte(2)
			if f.short {
				m = 1
			}
			for k := i; k < j; k++ {
				mask[k] = max(mask[k], m)
			}
		}
	}
	hit = r.maskCutPrefixes(s, mask, kept) || hit
	if !hit {
		return s
	}
	return apply(s, mask)
}

// maskCutPrefixes masks, before every truncation mark ("…" or "..."), the
// longest beginning (3 bytes or more) of a known form that the text ends
// with there: text someone cut before redacting shows no part of a secret.
func (r *Redactor) maskCutPrefixes(s string, mask []byte, kept [][2]int) bool {
	hit := false
	for _, mark := range []string{"…", "..."} {
		for off := 0; ; {
			p := strings.Index(s[off:], mark)
			if p < 0 {
				break
			}
			p += off
			off = p + len(mark)
			for _, f := range r.forms {
				least := minSecret
				if f.short {
					least = shortPrefix + 1 // "abcdef…" is how a token is shown
				}
				for k := min(len(f.s)-1, p); k >= least; k-- {
					if s[p-k:p] != f.s[:k] || within(kept, p-k, p) {
						continue
					}
					hit = true
					m := byte(2)
					if f.short {
						m = 1
					}
					for i := p - k; i < p; i++ {
						mask[i] = max(mask[i], m)
					}
					break
				}
			}
		}
	}
	return hit
}

// keptSpans returns the byte ranges of every kept phrase in s.
func (r *Redactor) keptSpans(s string) [][2]int {
	var spans [][2]int
	for _, p := range r.keep {
		for off := 0; ; {
			i := strings.Index(s[off:], p)
			if i < 0 {
				break
			}
			spans = append(spans, [2]int{off + i, off + i + len(p)})
			off += i + len(p)
		}
	}
	return spans
}

func within(spans [][2]int, i, j int) bool {
	for _, sp := range spans {
		if i >= sp[0] && j <= sp[1] {
			return true
		}
	}
	return false
}

// apply replaces each run of masked bytes: hidden runs by Marker, shortened
// runs by their prefix and "…".
func apply(s string, mask []byte) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if mask[i] == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		j, m := i, byte(0)
		for j < len(s) && mask[j] != 0 {
			m = max(m, mask[j])
			j++
		}
		if m == 2 {
			b.WriteString(Marker)
		} else {
			b.WriteString(shorten(s[i:j]))
		}
		i = j
	}
	return b.String()
}

// shorten returns the first six bytes of a token (cut on a rune boundary)
// followed by "…"; a value of 8 bytes or less becomes "…".
func shorten(v string) string {
	if len(v) <= minToken {
		return "…"
	}
	n := shortPrefix
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n] + "…"
}

// Text hides the known secrets and tokens in s (see Known), then the values of
// secret parameters, JSON fields, headers, Bearer and Basic credentials and
// URL userinfo, known or not (see the package-level Text).
func (r *Redactor) Text(s string) string {
	return byName(r.Known(s))
}

// Cut returns s redacted (see Text) and cut to at most n bytes on a rune
// boundary, and whether anything was cut. Redaction comes first, so that a
// secret straddling the cut never shows its beginning.
func (r *Redactor) Cut(s string, n int) (string, bool) {
	if n < 0 {
		n = 0
	}
	window := s
	if pad := n + r.longest() + 256; len(s) > pad {
		window = s[:pad] // every secret that starts before n ends in the window
	}
	red := r.Text(window)
	if len(red) <= n && len(window) == len(s) {
		return red, false
	}
	for n > 0 && n < len(red) && !utf8.RuneStart(red[n]) {
		n--
	}
	return red[:min(n, len(red))], true
}

func (r *Redactor) longest() int {
	if r == nil {
		return 0
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.max
}

// Clone returns a copy of r that can be extended without changing r.
func (r *Redactor) Clone() *Redactor {
	c := &Redactor{}
	if r == nil {
		return c
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	c.forms, c.keep, c.max = append([]form(nil), r.forms...), append([]string(nil), r.keep...), r.max
	return c
}
