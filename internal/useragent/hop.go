package useragent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
)

// Hop is one request of an interaction and its answer, for a transcript. The
// bodies and headers are as sent and received (bounded by Config.MaxBody):
// they hold the password (a form value), session cookies, CSRF tokens and,
// in the last hop, the authorization response. Redact before printing.
type Hop struct {
	N          int    // 1 for the authorization request
	Method     string // GET or POST
	URL        string
	ReqHeader  http.Header // Cookie included
	ReqBody    []byte      // a submitted form's body
	Status     int         // 0 when no answer came
	StatusText string      // "302 Found"
	RespHeader http.Header
	RespBody   []byte // at most Config.MaxBody bytes
	Title      string // an HTML page's title, cleaned as InteractionError's texts
	Duration   time.Duration
	Err        error    // the transport error, if no answer came
	Forged     []string // the hidden fields whose values Config.ForgeHidden replaced in ReqBody (or the query)
}

// request is the next navigation: a redirect to follow, a form to submit.
type request struct {
	method    string
	url       *url.URL
	fields    []field  // a submitted form's entry list; nil for none
	multipart bool     // enctype=multipart/form-data
	referer   *url.URL // the page it comes from, if any
	policy    string   // the Referrer-Policy in force
	forged    []string // the hidden fields Config.ForgeHidden changed
}

// response is one answer, read and (when it is HTML) parsed.
type response struct {
	n      int
	req    *request
	status int
	header http.Header
	body   []byte
	tooBig bool  // the body was cut at MaxBody
	page   *page // nil unless the answer is an HTML page, not a redirect, within MaxBody
}

// exchange sends req (after the hop, loop and context checks) and reads the answer.
func (a *agent) exchange(ctx context.Context, req *request) (*response, error) {
	a.hops++
	key := req.method + " " + req.url.String()
	a.visits[key]++
	switch {
	case a.hops > a.cfg.MaxHops:
		return nil, a.failReq(req, ErrTooManyHops, fmt.Sprintf("more than %d requests without reaching the redirect URI (raise the hop limit if the server really needs more)", a.cfg.MaxHops))
	case a.visits[key] > MaxVisits:
		return nil, a.failReq(req, ErrLoop, fmt.Sprintf("a loop: this request would be sent a %s time with no form submitted in between", ordinal(a.visits[key])))
	}
	hr, body, err := a.build(ctx, req)
	if err != nil {
		return nil, a.failReq(req, ErrNoAnswer, "the request cannot be built: "+err.Error())
	}
	hop := Hop{N: a.hops, Method: req.method, URL: req.url.String(), ReqHeader: hr.Header, ReqBody: body, Forged: req.forged}
	start := a.cfg.Now()
	resp, err := a.client.Do(hr)
	if err == nil {
		defer func() { _ = resp.Body.Close() }()
		var data []byte
		data, err = io.ReadAll(io.LimitReader(resp.Body, a.cfg.MaxBody+1))
		hop.Status, hop.StatusText, hop.RespHeader, hop.RespBody = resp.StatusCode, resp.Status, resp.Header, data
	}
	hop.Duration = a.cfg.Now().Sub(start)
	if err != nil {
		hop.Err = err
		a.emit(hop)
		return nil, a.noAnswer(ctx, req, hop.Status, err)
	}
	a.jar.SetCookies(req.url, resp.Cookies())
	r := a.read(req, &hop)
	a.emit(hop)
	return r, nil
}

// ordinal writes n as 3rd, 4th….
func ordinal(n int) string {
	switch {
	case n%100/10 == 1:
		return fmt.Sprintf("%dth", n)
	case n%10 == 1:
		return fmt.Sprintf("%dst", n)
	case n%10 == 2:
		return fmt.Sprintf("%dnd", n)
	case n%10 == 3:
		return fmt.Sprintf("%drd", n)
	}
	return fmt.Sprintf("%dth", n)
}

// read makes the response of hop, parsing an HTML page and setting the hop's title.
func (a *agent) read(req *request, hop *Hop) *response {
	r := &response{n: hop.N, req: req, status: hop.Status, header: hop.RespHeader, body: hop.RespBody}
	if int64(len(r.body)) > a.cfg.MaxBody {
		r.body, r.tooBig = r.body[:a.cfg.MaxBody], true
		hop.RespBody = r.body
	}
	if !isRedirect(r.status) && !r.tooBig && isHTML(r.header) {
		r.page = parsePage(r.body, req.url)
		hop.Title = clean(r.page.title, a.cfg.Password)
	}
	return r
}

// emit hands hop to the caller.
func (a *agent) emit(h Hop) {
	if a.onHop != nil {
		a.onHop(h)
	}
}

// noAnswer is the error of a request that got no (complete) answer.
func (a *agent) noAnswer(ctx context.Context, req *request, status int, err error) error {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	reason := "no answer: " + cause.Error()
	if status != 0 {
		reason = "the body could not be read: " + cause.Error()
	}
	if ctx.Err() != nil {
		reason += " (the interaction's deadline passed)"
		err = fmt.Errorf("%w: %w", err, ctx.Err())
	}
	e := a.failReq(req, ErrNoAnswer, reason)
	e.Status, e.Err = status, err
	return e
}

// failReq is the InteractionError of a request that was not (fully) answered.
func (a *agent) failReq(req *request, kind error, reason string) *InteractionError {
	return &InteractionError{Hop: a.hops, Method: req.method, URL: req.url.String(), Kind: kind, Reason: reason}
}

// build makes the HTTP request of req, with the jar's cookies, the headers a
// browser sends (Accept, Referer, Origin on a POST) and the form body.
func (a *agent) build(ctx context.Context, req *request) (*http.Request, []byte, error) {
	var body []byte
	ctype := ""
	if req.method == http.MethodPost {
		var err error
		body, ctype, err = formBody(req.fields, req.multipart)
		if err != nil {
			return nil, nil, err
		}
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, req.url.String(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	if body == nil {
		hr.Body, hr.GetBody, hr.ContentLength = nil, nil, 0
	}
	hr.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	hr.Header.Set("User-Agent", "oauthconf-useragent (no JavaScript)")
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if req.referer != nil {
		referer, origin := referrerHeaders(req.referer, req.url, req.policy)
		if referer != "" {
			hr.Header.Set("Referer", referer)
		}
		if req.method == http.MethodPost {
			hr.Header.Set("Origin", origin)
		}
	}
	if a.basic[httpx.OriginOf(req.url)] {
		hr.SetBasicAuth(a.cfg.Username, a.cfg.Password)
	}
	for _, ck := range a.jar.Cookies(req.url) {
		hr.AddCookie(ck)
	}
	return hr, body, nil
}

// formBody encodes a form's entry list, urlencoded or as multipart/form-data.
func formBody(fields []field, multi bool) ([]byte, string, error) {
	if !multi {
		return []byte(encode(fields)), "application/x-www-form-urlencoded", nil
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := w.WriteField(f.name, f.value); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), w.FormDataContentType(), nil
}

// isRedirect reports whether status is a redirect a browser follows.
func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// isHTML reports whether h announces an HTML page (or nothing, as some
// servers do, which a browser sniffs as HTML when it looks like it).
func isHTML(h http.Header) bool {
	ct := h.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}
