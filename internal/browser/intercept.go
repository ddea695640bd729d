package browser

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// listen runs on chromedp's reading goroutine: it only queues the events the
// worker needs, and never blocks.
func (s *session) listen(ev any) {
	switch ev.(type) {
	case *fetch.EventRequestPaused, *page.EventLoadEventFired:
	default:
		return
	}
	s.mu.Lock()
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// work handles the queued events in order until ctx ends, then reports the
// last page's hop if its title never came.
func (s *session) work(ctx context.Context) {
	defer close(s.workerDone)
	for {
		s.mu.Lock()
		events := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, ev := range events {
			s.handle(ev)
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			s.flush()
			return
		}
	}
}

// handle answers a paused request or response, or titles the loaded page.
func (s *session) handle(ev any) {
	switch ev := ev.(type) {
	case *fetch.EventRequestPaused:
		if ev.ResponseStatusCode != 0 || ev.ResponseErrorReason != "" {
			s.onResponse(ev)
		} else {
			s.onRequest(ev)
		}
	case *page.EventLoadEventFired:
		if s.pending != nil {
			h := *s.pending
			s.pending = nil
			h.Title = pageText(s.title())
			s.emit(h)
		}
	}
}

// top reports whether ev is a document for the tab's top-level frame.
func (s *session) top(ev *fetch.EventRequestPaused) bool {
	return ev.ResourceType == network.ResourceTypeDocument && ev.FrameID == s.mainFrame
}

// onRequest stops the request to the redirect URI (the code is read from its
// URL; RFC 6749 §4.1.2) and those leaving the allowed origins, and lets every
// other request go.
func (s *session) onRequest(ev *fetch.EventRequestPaused) {
	raw := ev.Request.URL + ev.Request.URLFragment
	if !s.top(ev) {
		send(s, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		return
	}
	s.flush() // a page that navigates away before its load event
	hop := Hop{Method: ev.Request.Method, URL: raw}
	switch {
	case isRedirect(raw, s.redirect):
		send(s, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
		hop.Note = "the redirect URI: read, not sent"
		s.emit(hop)
		s.reach(raw)
	case !allowedURL(raw, s.origins): // aborted, not blocked: the last page stays, for the error message
		send(s, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
		hop.Note = "outside the allowed origins: not sent"
		s.emit(hop)
		s.endSteps(&errOutside{url: s.red.Known(raw)})
	default:
		send(s, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
	}
}

// onResponse lets the response go and records its hop: a redirect at once, a
// page when it has loaded (for its title).
func (s *session) onResponse(ev *fetch.EventRequestPaused) {
	if ev.ResponseErrorReason != "" {
		send(s, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
	} else {
		send(s, fetch.ContinueResponse, fetch.ContinueResponseParams{RequestID: ev.RequestID})
	}
	if !s.top(ev) {
		return
	}
	hop := Hop{Method: ev.Request.Method, URL: ev.Request.URL + ev.Request.URLFragment, Status: int(ev.ResponseStatusCode)}
	switch {
	case ev.ResponseErrorReason != "":
		hop.Note = "failed: " + string(ev.ResponseErrorReason)
		s.emit(hop)
	case hop.Status >= 300 && hop.Status < 400:
		s.emit(hop)
	default:
		s.pending = &hop
		s.mu.Lock()
		s.docStatus, s.docAt = hop.Status, time.Now()
		s.mu.Unlock()
	}
}

// errorStatus returns the HTTP status of the page if it is an error (4xx or
// 5xx) that came at least errorPageSettle ago, else 0. A server that refuses
// the request (an unregistered redirect URI: RFC 6749 §4.1.2.1) shows such a
// page instead of redirecting.
func (s *session) errorStatus() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docStatus >= 400 && time.Since(s.docAt) >= errorPageSettle {
		return s.docStatus
	}
	return 0
}

// reach records the redirect and ends the steps; only the first one counts.
func (s *session) reach(raw string) {
	u, err := url.Parse(raw)
	if err != nil { // Chromium only sends valid URLs
		s.endSteps(&errOutside{url: s.red.Known(raw)})
		return
	}
	s.mu.Lock()
	if s.code == nil {
		s.code = u
	}
	s.mu.Unlock()
	s.endSteps(errReached)
}

// reached returns the redirect once the steps ended on it.
func (s *session) reached() (*url.URL, bool) {
	if !errors.Is(context.Cause(s.runCtx), errReached) {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.code, s.code != nil
}

// flush reports the pending page without its title.
func (s *session) flush() {
	if s.pending != nil {
		s.emit(*s.pending)
		s.pending = nil
	}
}

// emit reports a hop, with the password redacted.
func (s *session) emit(h Hop) {
	if s.onHop == nil {
		return
	}
	h.URL = s.red.Known(h.URL)
	h.Title = s.red.Known(h.Title)
	s.onHop(h)
}

// title reads the page's title, or "" when the page is gone.
func (s *session) title() string {
	ctx, cancel := context.WithTimeout(s.tab, callTimeout)
	defer cancel()
	t, _ := chromedp.Run(ctx, chromedp.Title())
	return t
}

// send sends one interception command. A failure means the request or the
// tab is gone, and the steps see that themselves.
func send[P any](s *session, cmd cdp.Command[P, cdp.Empty], params P) {
	ctx, cancel := context.WithTimeout(s.tab, callTimeout)
	defer cancel()
	_, _ = chromedp.Call(ctx, cmd, params)
}
