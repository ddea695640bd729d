package useragent

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// onPage acts on a 2xx page as a user without JavaScript would: a meta
// refresh is followed (unless it is a distant one on a page with a form); a login form is filled and submitted; a username-only
// form (identifier-first sign-in) likewise; on a consent page the approving
// submit is pressed; a lone form without visible fields (form_post) is
// submitted. Anything else ends the interaction.
func (a *agent) onPage(r *response) (*request, *url.URL, error) {
	if r.tooBig {
		return nil, nil, a.fail(r, ErrBodyTooLarge, fmt.Sprintf("a body larger than %d bytes (the size limit)", a.cfg.MaxBody))
	}
	p := r.page
	if p == nil {
		mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
		e := a.fail(r, ErrUnexpectedPage, fmt.Sprintf("a %s answer, not an HTML page (the body says: %s)", mt, quote(a.pageText(r))))
		e.Text = a.pageText(r)
		return nil, nil, e
	}
	if p.refresh != "" && (p.soon || len(p.forms) == 0) {
		u, err := p.base.Parse(strings.TrimSpace(p.refresh))
		if err != nil {
			return nil, nil, a.fail(r, ErrUnexpectedPage, "a meta refresh to an unparsable URL "+quote(clean(p.refresh, a.cfg.Password)))
		}
		return a.navigate(r, "a meta refresh", &request{method: http.MethodGet, url: u, referer: p.url, policy: r.policy()})
	}
	if f, pw := a.loginForm(p); f != nil {
		return a.signIn(r, f, pw)
	}
	if f, user := a.identifierForm(p); f != nil {
		if a.sentUser {
			return nil, nil, a.cameBack(r, "the username form came back (unknown user?")
		}
		a.sentUser = true
		return a.submit(r, f, f.signInSubmit(), map[*control]string{user: a.cfg.Username}, "the username form's submission")
	}
	if f, sub := a.consentSubmit(p); f != nil {
		if a.consents++; a.consents > MaxVisits {
			return nil, nil, a.fail(r, ErrLoop, fmt.Sprintf("a loop: the consent page came back a %s time (does the server keep the consent?)", ordinal(a.consents)))
		}
		return a.submit(r, f, sub, f.scopeBoxes(), "the consent form's submission")
	}
	if f, sub := autoSubmit(p); f != nil {
		if a.cfg.Approve != "" && sub != nil && sub.approves() {
			// A consent page without the submit the Config names: pressing
			// its only, approving, button would not be what was asked.
			return nil, nil, a.fail(r, ErrUnexpectedPage, fmt.Sprintf("a consent page without the submit %s; its only button is %s",
				quote(clean(a.cfg.Approve, a.cfg.Password)), quote(clean(firstNonEmpty(sub.label, sub.value, sub.name), a.cfg.Password))))
		}
		return a.submit(r, f, sub, nil, "the form's submission")
	}
	return nil, nil, a.noWayThrough(r)
}

// loginForm returns the first form with the password field: the one named
// Config.PasswordField, else an input of type password.
func (a *agent) loginForm(p *page) (*form, *control) {
	for _, f := range p.forms {
		if a.cfg.PasswordField != "" {
			if c := f.named(a.cfg.PasswordField); c != nil {
				return f, c
			}
		}
		if c := f.password(); c != nil {
			return f, c
		}
	}
	return nil, nil
}

// hasLoginForm reports whether p has a login form.
func (a *agent) hasLoginForm(p *page) bool {
	f, _ := a.loginForm(p)
	return f != nil
}

// signIn fills and submits login form f, pw its password field.
func (a *agent) signIn(r *response, f *form, pw *control) (*request, *url.URL, error) {
	if a.sentPass {
		return nil, nil, a.cameBack(r, "the login form came back (wrong password?")
	}
	if a.cfg.Password == "" {
		return nil, nil, a.fail(r, ErrUnexpectedPage, "a login form, but no password is configured")
	}
	if n := a.cfg.PasswordField; n != "" && pw.name != n {
		return nil, nil, a.missingField(r, f, n)
	}
	fill := map[*control]string{pw: a.cfg.Password}
	user := f.usernameField(pw)
	if n := a.cfg.UsernameField; n != "" {
		user = f.named(n)
		if user == nil && !a.sentUser {
			return nil, nil, a.missingField(r, f, n)
		}
	}
	if user != nil && a.cfg.Username != "" {
		fill[user] = a.cfg.Username
		a.sentUser = true
	}
	a.sentPass = true
	return a.submit(r, f, f.signInSubmit(), fill, "the login form's submission")
}

// missingField is the error of a login form without the field Config names.
func (a *agent) missingField(r *response, f *form, name string) error {
	return a.fail(r, ErrUnexpectedPage, fmt.Sprintf("the login form has no field named %s (its fields: %s)",
		quote(clean(name, "")), clean(strings.Join(f.fieldNames(), ", "), a.cfg.Password)))
}

// identifierForm returns a form asking for the username alone and its field,
// when a username is configured.
func (a *agent) identifierForm(p *page) (*form, *control) {
	if a.cfg.Username == "" {
		return nil, nil
	}
	for _, f := range p.forms {
		if c := f.identifierField(a.cfg.UsernameField); c != nil {
			return f, c
		}
	}
	return nil, nil
}

// consentSubmit returns the submit that approves, in a form with nothing to
// type in: the one Config.Approve names, else the first whose words approve.
func (a *agent) consentSubmit(p *page) (*form, *control) {
	for _, f := range p.forms {
		if f.password() != nil || len(f.textual()) > 0 {
			continue
		}
		for _, c := range f.submitters() {
			if (a.cfg.Approve != "" && c.matches(a.cfg.Approve)) || (a.cfg.Approve == "" && c.approves()) {
				return f, c
			}
		}
	}
	return nil, nil
}

// scopeBoxes ticks a consent form's unchecked scope checkboxes (named scope,
// grant_scope, scope[]…; Spring Authorization Server leaves them unchecked),
// as a user granting what the client asks for would.
func (f *form) scopeBoxes() map[*control]string {
	fill := map[*control]string{}
	for _, c := range f.controls {
		if c.typ == "checkbox" && !c.checked && !c.disabled && hasWord([]string{"scope"}, c.name) {
			v := c.value
			if !hasAttr(c.node, "value") {
				v = "on"
			}
			fill[c] = v
		}
	}
	return fill
}

// autoSubmit returns the page's only form that a user has nothing to type
// in (no text or password field) and at most one submit, not a refusing one
// — a form_post response, a "continue" interstitial — and that submit.
func autoSubmit(p *page) (*form, *control) {
	var found *form
	var sub *control
	for _, f := range p.forms {
		subs := f.submitters()
		if f.password() != nil || len(f.textual()) > 0 || len(subs) > 1 || (len(subs) == 1 && subs[0].refuses()) {
			continue
		}
		if found != nil {
			return nil, nil // two candidates: no way to tell which
		}
		found = f
		if len(subs) == 1 {
			sub = subs[0]
		}
	}
	return found, sub
}

// firstNonEmpty returns the first of texts that is not empty.
func firstNonEmpty(texts ...string) string {
	for _, t := range texts {
		if t != "" {
			return t
		}
	}
	return ""
}
