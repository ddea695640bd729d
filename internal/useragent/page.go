package useragent

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// page is what the user agent reads of an HTML page, as a browser without
// JavaScript sees it (<noscript> content is parsed as markup).
type page struct {
	url      *url.URL // the document's URL
	base     *url.URL // where relative URLs resolve: <base href>, or url
	title    string   // <title>, or the first <h1> when there is none (raw)
	alert    string   // the first error or alert text (raw)
	text     string   // the start of the visible text (raw)
	refresh  string   // the URL of a <meta http-equiv=refresh>, if any
	soon     bool     // the refresh is due within refreshSoon seconds
	referrer string   // the policy of a <meta name=referrer>, if any
	scripts  bool     // the page has a <script>
	forms    []*form

	alertBudget int // candidate alert elements still to examine
}

// parsePage parses body, the document at u.
func parsePage(body []byte, u *url.URL) *page {
	p := &page{url: u, base: u, alertBudget: 20}
	doc, err := html.ParseWithOptions(bytes.NewReader(body), html.ParseOptionEnableScripting(false))
	if err != nil { // only reader errors, impossible on a bytes.Reader
		return p
	}
	var h1 string
	var text strings.Builder
	byID := map[string]*form{}
	var owned []*control // controls with a form="id" attribute
	var walk func(n *html.Node, f *form, hidden bool)
	walk = func(n *html.Node, f *form, hidden bool) {
		if n.Type == html.TextNode && !hidden && text.Len() < 4*TextLimit {
			text.WriteString(n.Data)
			text.WriteByte(' ')
		}
		if n.Type == html.ElementNode {
			f = p.element(n, f, byID, &owned, &h1)
			hidden = hidden || invisible(n.DataAtom)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, f, hidden)
		}
	}
	walk(doc, nil, false)
	for _, c := range owned {
		if f := byID[attr(c.node, "form")]; f != nil {
			f.controls = append(f.controls, c)
		}
	}
	if p.title == "" {
		p.title = h1
	}
	p.text = text.String()
	return p
}

// element reads one element, returning the form its descendants belong to.
func (p *page) element(n *html.Node, f *form, byID map[string]*form, owned *[]*control, h1 *string) *form {
	switch n.DataAtom {
	case atom.Title:
		if p.title == "" {
			p.title = textOf(n)
		}
	case atom.H1:
		if *h1 == "" {
			*h1 = textOf(n)
		}
	case atom.Base:
		if b, err := p.url.Parse(attr(n, "href")); err == nil && hasAttr(n, "href") {
			p.base = b
		}
	case atom.Meta:
		if strings.EqualFold(attr(n, "http-equiv"), "refresh") {
			p.refresh, p.soon = refreshURL(attr(n, "content"))
		}
		if strings.EqualFold(attr(n, "name"), "referrer") {
			if v := lastPolicy(attr(n, "content")); v != "" {
				p.referrer = v
			}
		}
	case atom.Script:
		p.scripts = true
	case atom.Form:
		f = newForm(n)
		p.forms = append(p.forms, f)
		if f.id != "" {
			byID[f.id] = f
		}
	case atom.Input, atom.Button, atom.Select, atom.Textarea:
		c := newControl(n)
		switch {
		case hasAttr(n, "form"):
			*owned = append(*owned, c)
		case f != nil:
			f.controls = append(f.controls, c)
		}
	}
	if p.alert == "" && isAlert(n, &p.alertBudget) {
		p.alert = textOf(n)
	}
	return f
}

// isAlert reports whether n is where pages put their error text: role=alert,
// an id or class naming an error or alert (Keycloak's kc-feedback-text,
// Bootstrap's alert-danger, .invalid-feedback…), not hidden, not empty and
// not a wrapper around the form. budget bounds the subtrees examined, so a
// hostile page cannot make this quadratic.
func isAlert(n *html.Node, budget *int) bool {
	switch n.DataAtom {
	case atom.Html, atom.Body, atom.Head, atom.Form, atom.Input, atom.Script, atom.Style, atom.Template:
		return false
	}
	names := strings.ToLower(attr(n, "id") + " " + attr(n, "class"))
	named := strings.EqualFold(attr(n, "role"), "alert")
	for _, w := range []string{"error", "alert", "danger", "invalid", "feedback", "flash"} {
		named = named || strings.Contains(names, w)
	}
	if !named || *budget <= 0 || hasAttr(n, "hidden") ||
		strings.Contains(strings.ReplaceAll(attr(n, "style"), " ", ""), "display:none") {
		return false
	}
	*budget--
	return !hasControl(n) && strings.TrimSpace(textOf(n)) != ""
}

// hasControl reports whether n contains a form or a form control.
func hasControl(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			switch c.DataAtom {
			case atom.Form, atom.Input, atom.Button, atom.Select, atom.Textarea:
				return true
			}
		}
		if hasControl(c) {
			return true
		}
	}
	return false
}

// invisible reports whether the text inside element a is not part of the
// page's visible text.
func invisible(a atom.Atom) bool {
	switch a {
	case atom.Head, atom.Script, atom.Style, atom.Template, atom.Title, atom.Select, atom.Textarea:
		return true
	}
	return false
}

// refreshSoon is the longest meta refresh delay, in seconds, that a page
// with a form is left for: longer ones are a session-expiry redirect on a
// login page, not a navigation.
const refreshSoon = 10

// refreshURL returns the URL of a meta refresh content ("0; url=/next"), or
// "", and whether it is due within refreshSoon seconds.
func refreshURL(content string) (string, bool) {
	delay, rest, ok := strings.Cut(content, ";")
	if !ok {
		delay, rest, ok = strings.Cut(content, ",")
	}
	if !ok {
		return "", false
	}
	d, err := strconv.ParseFloat(strings.TrimSpace(delay), 64)
	soon := err == nil && d <= refreshSoon
	rest = strings.TrimSpace(rest)
	if len(rest) >= 4 && strings.EqualFold(rest[:3], "url") {
		if k, v, found := strings.Cut(rest, "="); found && strings.TrimSpace(k) != "" {
			rest = strings.TrimSpace(v)
		}
	}
	return strings.Trim(rest, `"'`), soon
}

// textOf returns the text inside n (scripts and styles excluded).
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for c := n.FirstChild; c != nil && b.Len() < 4*TextLimit; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// attr returns n's attribute key ("" when absent).
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hasAttr reports whether n has attribute key.
func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
