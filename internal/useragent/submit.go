package useragent

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// submit submits form f of r's page as a browser does (HTML Living
// Standard, "form submission"): pressing sub (nil: implicit submission),
// with fill's values, to the action (the submitter's formaction first;
// empty: the page's URL) resolved against the page's base URL; a POST's
// entries go in the body (urlencoded, or multipart/form-data when the
// enctype says so), a GET's replace the action's query.
func (a *agent) submit(r *response, f *form, sub *control, fill map[*control]string, what string) (*request, *url.URL, error) {
	p := r.page
	action, method, enctype := f.action, f.method, f.enctype
	if sub != nil {
		if hasAttr(sub.node, "formaction") {
			action = attr(sub.node, "formaction")
		}
		if hasAttr(sub.node, "formmethod") {
			method = strings.ToLower(attr(sub.node, "formmethod"))
		}
		if hasAttr(sub.node, "formenctype") {
			enctype = strings.ToLower(attr(sub.node, "formenctype"))
		}
	}
	u := *p.url
	if action = strings.TrimSpace(action); action != "" {
		parsed, err := p.base.Parse(action)
		if err != nil {
			return nil, nil, a.fail(r, ErrUnexpectedPage, fmt.Sprintf("%s goes to an unparsable action %s", what, quote(clean(action, a.cfg.Password))))
		}
		u = *parsed
	}
	u.Fragment, u.RawFragment = "", ""
	var forged []string
	if a.cfg.ForgeHidden {
		fill, forged = forgeHidden(f, fill)
	}
	fields := f.entries(sub, fill)
	req := &request{method: http.MethodGet, url: &u, referer: p.url, policy: r.policy(), forged: forged}
	if method == "post" {
		req.method, req.fields, req.multipart = http.MethodPost, append([]field{}, fields...), enctype == "multipart/form-data"
	}
	key := req.method + " " + u.String()
	if a.submits[key]++; a.submits[key] > MaxVisits {
		return nil, nil, a.fail(r, ErrLoop, fmt.Sprintf("a loop: %s would be sent a %s time", what, ordinal(a.submits[key])))
	}
	if req.method == http.MethodGet {
		u.RawQuery, u.ForceQuery = encode(fields), true
	}
	clear(a.visits)
	return a.navigate(r, what, req)
}

// noWayThrough is the error of a page the user agent cannot act on.
func (a *agent) noWayThrough(r *response) error {
	p := r.page
	text := a.pageText(r)
	says := ""
	if text != "" {
		says = " (the page says: " + quote(text) + ")"
	}
	var e *InteractionError
	switch {
	case len(p.forms) == 0 && p.scripts:
		e = a.fail(r, ErrScriptPage, "the page builds its form with JavaScript: use authorize.login.mode: browser")
	case len(p.forms) == 0:
		e = a.fail(r, ErrUnexpectedPage, "a page without a form"+says)
	case a.cfg.Approve != "":
		e = a.fail(r, ErrUnexpectedPage, fmt.Sprintf("no submit named %s on the page (%s)%s", quote(clean(a.cfg.Approve, "")), a.describe(p), says))
	default:
		reason := fmt.Sprintf("a page that is neither a login nor a consent page (%s)%s", a.describe(p), says)
		if p.scripts {
			reason += "; if its form needs JavaScript, use authorize.login.mode: browser"
		}
		e = a.fail(r, ErrUnexpectedPage, reason)
	}
	e.Text = text
	return e
}

// describe lists the fields and submits of p's forms, for messages.
func (a *agent) describe(p *page) string {
	var fields, subs []string
	for _, f := range p.forms {
		fields = append(fields, f.fieldNames()...)
		for _, c := range f.submitters() {
			label := c.label
			if label == "" {
				label = c.name
			}
			subs = append(subs, quote(label))
		}
	}
	if len(fields) == 0 {
		fields = []string{"none visible"}
	}
	if len(subs) == 0 {
		subs = []string{"none"}
	}
	return clean("fields: "+strings.Join(fields, ", ")+"; submits: "+strings.Join(subs, ", "), a.cfg.Password)
}

// forgeHidden returns fill plus a changed value, of the same length, for
// every named hidden input of f that fill does not set, and their names.
func forgeHidden(f *form, fill map[*control]string) (map[*control]string, []string) {
	out := make(map[*control]string, len(fill))
	for c, v := range fill {
		out[c] = v
	}
	var names []string
	for _, c := range f.controls {
		if _, set := out[c]; set || c.typ != "hidden" || c.name == "" || c.disabled {
			continue
		}
		forged := strings.Repeat("0", len(c.value))
		switch {
		case c.value == "":
			forged = "forged"
		case forged == c.value:
			forged = strings.Repeat("1", len(c.value))
		}
		out[c] = forged
		names = append(names, c.name)
	}
	return out, names
}
