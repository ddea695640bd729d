package useragent

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauthconf/oauthconf/internal/httpx"
)

// next decides what follows response r: another request, the authorization
// response (a URL at the redirect URI), or an InteractionError.
func (a *agent) next(r *response) (*request, *url.URL, error) {
	switch {
	case isRedirect(r.status):
		return a.follow(r)
	case r.status >= 400 && r.page != nil && !a.sentPass && a.hasLoginForm(r.page):
		return a.onPage(r) // some servers serve their login page with 401 or 403
	case r.status == http.StatusUnauthorized && basicChallenge(r.header) && a.cfg.Password != "":
		return a.basicAuth(r)
	case r.status >= 400:
		return nil, nil, a.errorPage(r)
	case r.status >= 200 && r.status < 300:
		return a.onPage(r)
	}
	return nil, nil, a.fail(r, ErrUnexpectedPage, fmt.Sprintf("an unexpected status (%s)", http.StatusText(r.status)))
}

// follow follows a redirect as a browser does (RFC 9110 §15.4): 307 and 308
// repeat the method and body, the others become a GET.
func (a *agent) follow(r *response) (*request, *url.URL, error) {
	loc := r.header.Get("Location")
	if loc == "" {
		return nil, nil, a.fail(r, ErrUnexpectedPage, "a redirect without a Location header")
	}
	u, err := r.req.url.Parse(loc)
	if err != nil {
		return nil, nil, a.fail(r, ErrUnexpectedPage, fmt.Sprintf("a redirect to an unparsable Location %s", quote(clean(loc, a.cfg.Password))))
	}
	next := &request{method: http.MethodGet, url: u, referer: r.req.referer, policy: r.policy()}
	if r.status == http.StatusTemporaryRedirect || r.status == http.StatusPermanentRedirect {
		next.method, next.fields, next.multipart = r.req.method, r.req.fields, r.req.multipart
	}
	return a.navigate(r, "a redirect", next)
}

// policy is the referrer policy for navigations from r. A redirect's is its
// Referrer-Policy header, else the one in force for its request; a page's
// is its <meta name=referrer>, else its header, else the default.
func (r *response) policy() string {
	p := lastPolicy(strings.Join(r.header.Values("Referrer-Policy"), ","))
	switch {
	case r.page != nil && r.page.referrer != "":
		return r.page.referrer
	case p != "" || r.page != nil:
		return p
	}
	return r.req.policy
}

// navigate goes to next, unless it is the redirect URI (the end: the URL is
// returned, a form's fields added to its query, never requested) or an
// origin requests may not go to.
func (a *agent) navigate(r *response, what string, next *request) (*request, *url.URL, error) {
	if httpx.SameEndpoint(next.url, a.redirect) {
		u := *next.url
		if next.method == http.MethodPost && len(next.fields) > 0 {
			// response_mode=form_post: the fields are the response.
			q := encode(next.fields)
			if u.RawQuery != "" {
				q = u.RawQuery + "&" + q
			}
			u.RawQuery = q
		}
		return nil, &u, nil
	}
	if next.url.Scheme != "http" && next.url.Scheme != "https" {
		return nil, nil, a.fail(r, ErrUnexpectedPage, fmt.Sprintf("%s to %s, which is not the redirect URI and not a web page", what, quote(clean(withoutQuery(next.url), ""))))
	}
	if !a.allowed(next.url) {
		return nil, nil, a.fail(r, ErrForeignRedirect, fmt.Sprintf("%s to %s, outside the allowed origins (%s): add its origin to the allowed origins if it belongs to the server",
			what, withoutQuery(next.url), a.originList()))
	}
	return next, nil, nil
}

// originList names the allowed origins, for messages.
func (a *agent) originList() string {
	var s []string
	for _, o := range a.origins {
		s = append(s, o.Serialize())
	}
	return strings.Join(s, ", ")
}

// basicChallenge reports whether h asks for HTTP Basic authentication (RFC 7617).
func basicChallenge(h http.Header) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		if len(v) >= 5 && strings.EqualFold(v[:5], "basic") {
			return true
		}
	}
	return false
}

// basicAuth answers a Basic challenge as a browser's dialog would: the same
// request again, with the credentials from then on sent to that origin
// (RFC 7617 §2.2). A second challenge means they were refused.
func (a *agent) basicAuth(r *response) (*request, *url.URL, error) {
	o := httpx.OriginOf(r.req.url)
	if a.basic[o] {
		return nil, nil, a.cameBack(r, "the server asked for the credentials again (HTTP Basic authentication: wrong password?")
	}
	a.basic[o] = true
	next := *r.req
	return &next, nil, nil
}

// errorPage is the error of a 4xx or 5xx answer: the login form coming back
// with it (some servers answer a wrong password with 400 or 401), else the
// status with the page's error text.
func (a *agent) errorPage(r *response) error {
	if r.page != nil && a.sentPass && a.hasLoginForm(r.page) {
		return a.cameBack(r, "the login form came back (wrong password?")
	}
	text := a.pageText(r)
	reason := fmt.Sprintf("an error page (%s)", http.StatusText(r.status))
	if text != "" {
		reason = fmt.Sprintf("an error page (%s; the page says: %s)", http.StatusText(r.status), quote(text))
	}
	e := a.fail(r, ErrErrorStatus, reason)
	e.Text = text
	return e
}

// cameBack is the error of the login form returned after the credentials:
// what (ending in "?") is completed with the page's error text.
func (a *agent) cameBack(r *response, what string) error {
	text := ""
	if r.page != nil {
		text = clean(r.page.alert, a.cfg.Password)
	}
	reason := what + ")"
	if text != "" {
		reason = fmt.Sprintf("%s the page says: %s)", what, quote(text))
	}
	e := a.fail(r, ErrWrongCredentials, reason)
	e.Text = text
	return e
}

// pageText is the text to quote from r: the page's error text, else the
// start of its visible text, else (not HTML) the start of the body.
func (a *agent) pageText(r *response) string {
	switch {
	case r.page == nil:
		return clean(string(r.body), a.cfg.Password)
	case strings.TrimSpace(r.page.alert) != "":
		return clean(r.page.alert, a.cfg.Password)
	}
	return clean(r.page.text, a.cfg.Password)
}

// fail is the InteractionError of response r.
func (a *agent) fail(r *response, kind error, reason string) *InteractionError {
	e := &InteractionError{Hop: r.n, Method: r.req.method, URL: r.req.url.String(), Status: r.status, Kind: kind, Reason: reason}
	if r.page != nil {
		e.Title = clean(r.page.title, a.cfg.Password)
	}
	return e
}
