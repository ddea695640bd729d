package browser

import (
	"context"
	"errors"
	"fmt"

	"github.com/chromedp/chromedp"
)

// jsPrelude holds the helpers of the scripts the package runs in pages.
// Elements the package found are tagged with a data-oauthconf attribute so
// that chromedp can address them by a CSS selector.
const jsPrelude = `const oc = {
	vis(e) {
		if (!e || e.disabled) return false;
		const st = getComputedStyle(e);
		return st.visibility !== 'hidden' && st.display !== 'none' && e.getClientRects().length > 0;
	},
	errorText() {
		const sel = '[role=alert], [aria-live=assertive], .error, .errors, .alert, .alert-danger, .alert-error, ' +
			'.invalid-feedback, .error-message, .form-error, .text-danger, #error, #errors, [class*=error], [id*=error]';
		for (const e of document.querySelectorAll(sel)) {
			const t = oc.vis(e) ? (e.innerText || '').trim() : '';
			if (t) return t.slice(0, 1000);
		}
		return '';
	},
	acted() { return window.__oauthconfActed ? Date.now() - window.__oauthconfActed : -1; },
};`

// script wraps body, which may use the prelude's helpers, in a function call.
func script(body string) string {
	return "(() => {\n" + jsPrelude + "\n" + body + "\n})()"
}

// markActedJS notes on the page that a step clicked or submitted: a page
// without the mark is a new document.
const markActedJS = `window.__oauthconfActed = Date.now()`

// pageState is what a failure message tells of the page.
type pageState struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	Error string `json:"error"`
	Text  string `json:"text"`
}

var pageStateJS = script(`return {
	url: location.href, title: document.title, error: oc.errorText(),
	text: ((document.body && document.body.innerText) || '').slice(0, 1000),
};`)

// failure turns a step's error into an *InteractionError that describes the
// page the browser was on.
func (s *session) failure(step int, st Step, err error) error {
	e := &InteractionError{Step: step, Action: st.String(), Err: err}
	var se *stepError
	var out *errOutside
	cause := context.Cause(s.runCtx)
	doing := st.waitingFor()
	if step == 0 {
		e.Action, doing = "", "opening the authorization URL"
	}
	switch {
	case errors.As(cause, &out):
		e.Reason, e.Err = out.Error(), ErrOutside
	case s.parent.Err() != nil:
		e.Reason, e.Err = fmt.Sprintf("stopped (%v) while %s", context.Cause(s.parent), doing), context.Cause(s.parent)
	case errors.Is(cause, context.DeadlineExceeded):
		e.Reason, e.Err = fmt.Sprintf("timed out after %s, %s", seconds(s.timeout), doing), cause
	case errors.As(err, &se):
		e.Reason, e.Text, e.Err = se.reason, pageText(s.red.Known(se.text)), nil
	default:
		e.Reason = pageText(s.red.Known(err.Error()))
	}
	s.describe(e)
	return e
}

// describe fills in the page's URL, title and (if the step read none) its
// error text or the start of its text.
func (s *session) describe(e *InteractionError) {
	s.mu.Lock()
	e.Status = s.docStatus
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(s.tab, callTimeout)
	defer cancel()
	p, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](pageStateJS))
	if err != nil {
		return
	}
	e.URL = bounded(s.red.Known(p.URL), maxPageURL)
	e.Title = pageText(s.red.Known(p.Title))
	if e.Text == "" {
		text := p.Error
		if text == "" {
			text = p.Text
		}
		e.Text = pageText(s.red.Known(text))
	}
}
