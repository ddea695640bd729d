package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// settle is how long a step that failed waits for a redirect already under
// way: a click can fail because its page is going away.
const settle = 300 * time.Millisecond

// stepError is a step's own account of its failure.
type stepError struct {
	reason string
	text   string // the page's error text, when the step read it
}

func (e *stepError) Error() string { return e.reason }

// authorize opens the authorization URL and runs the steps until the
// redirect URI is reached.
func (s *session) authorize() (*url.URL, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	for i, st := range s.stepList {
		err := s.runStep(st)
		if code, ok := s.reachedAfter(err); ok {
			return code, nil
		}
		if err != nil {
			return nil, s.failure(i+1, st, err)
		}
	}
	last := len(s.stepList)
	st := s.stepList[last-1]
	timer := time.NewTimer(DefaultStepTimeout)
	defer timer.Stop()
	select {
	case <-s.runCtx.Done():
	case <-timer.C:
	}
	if code, ok := s.reached(); ok {
		return code, nil
	}
	if s.runCtx.Err() != nil {
		return nil, s.failure(last, st, s.runCtx.Err())
	}
	return nil, s.failure(last, st, &stepError{reason: fmt.Sprintf(
		"the steps ended, but the browser did not go to the redirect URI %s within %s", s.redirect.Redacted(), seconds(DefaultStepTimeout))})
}

// open navigates to the authorization URL without waiting for a page: the
// steps wait for what they need.
func (s *session) open() error {
	res, err := chromedp.Call(s.runCtx, page.Navigate, page.NavigateParams{URL: s.auth.String()})
	if _, ok := s.reachedAfter(err); ok {
		return nil
	}
	if cause := context.Cause(s.runCtx); s.runCtx.Err() != nil && !errors.Is(cause, errReached) {
		return s.failure(0, Step{}, cause)
	}
	switch {
	case err != nil:
		return s.failure(0, Step{}, err)
	case res.ErrorText != "" && res.ErrorText != "net::ERR_ABORTED":
		return s.failure(0, Step{}, &stepError{reason: "the authorization URL did not load: " + res.ErrorText})
	}
	return nil
}

// reachedAfter reports the redirect if the steps ended on it, waiting a
// moment after a failed step for a redirect that is under way.
func (s *session) reachedAfter(err error) (*url.URL, bool) {
	if err != nil {
		t := time.NewTimer(settle)
		select {
		case <-s.runCtx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	return s.reached()
}

// runStep runs one step within its timeout.
func (s *session) runStep(st Step) error {
	if st.Action == ActionConsent { // times each page itself
		return s.consent(s.runCtx, st.timeout())
	}
	ctx, cancel := context.WithTimeout(s.runCtx, st.timeout())
	defer cancel()
	var err error
	switch st.Action {
	case ActionFill:
		err = s.fill(ctx, st.Selector, s.value(st.Value))
	case ActionClick:
		err = s.click(ctx, st.Selector)
	case ActionWait:
		err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(st.Selector)))
	case ActionWaitURL:
		_, err = poll(ctx, `location.href`, func(u string) bool { return urlMatches(u, st.URL) })
	case ActionSubmit:
		err = s.submit(ctx, st.Selector)
	case ActionLogin:
		err = s.login(ctx)
	}
	if err != nil && ctx.Err() != nil && s.runCtx.Err() == nil { // the step's own timeout
		return &stepError{reason: st.timeoutReason()}
	}
	return err
}

// value replaces the credential placeholders.
func (s *session) value(v string) string {
	return strings.NewReplacer("{username}", s.cfg.Username, "{password}", s.cfg.Password).Replace(v)
}

// fill types text into the input sel, replacing what it holds.
func (s *session) fill(ctx context.Context, sel, text string) error {
	css := chromedp.CSS(sel)
	arg, _ := json.Marshal(sel)
	clear := `(sel => {
		const e = document.querySelector(sel);
		if (e && 'value' in e && e.value !== '') {
			e.value = '';
			e.dispatchEvent(new Event('input', {bubbles: true}));
		}
	})(` + string(arg) + `)`
	return chromedp.Do(ctx, chromedp.WaitVisible(css), chromedp.Evaluate[chromedp.Void](clear), chromedp.SendKeys(css, text))
}

// click marks the page as acted on (see the consent step) and clicks sel.
func (s *session) click(ctx context.Context, sel string) error {
	css := chromedp.CSS(sel)
	return chromedp.Do(ctx, chromedp.WaitVisible(css), chromedp.Evaluate[chromedp.Void](markActedJS), chromedp.Click(css))
}

// submit submits the form sel, or the form of the element sel, as a click
// on its submit button would (requestSubmit runs the page's handlers).
func (s *session) submit(ctx context.Context, sel string) error {
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(sel))); err != nil {
		return err
	}
	arg, _ := json.Marshal(sel)
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](markActedJS+`;(sel => {
		const e = document.querySelector(sel);
		const f = e && (e.tagName === 'FORM' ? e : e.form || e.closest('form'));
		if (!f) return false;
		if (f.requestSubmit) f.requestSubmit(); else f.submit();
		return true;
	})(`+string(arg)+`)`))
	if err == nil && !ok {
		return &stepError{reason: "the element is not a form and is in no form"}
	}
	return err
}

// poll evaluates expr every pollInterval until done accepts its value or ctx
// ends. Errors while a page is being replaced are retried.
func poll[T any](ctx context.Context, expr string, done func(T) bool) (T, error) {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
		if err == nil && done(v) {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-t.C:
		}
	}
}

// timeout is the step's, or DefaultStepTimeout.
func (st Step) timeout() time.Duration {
	if st.Timeout > 0 {
		return st.Timeout
	}
	return DefaultStepTimeout
}

// String names the step for a message, never with its value:
// click "button#approve", wait_url "/callback", login.
func (st Step) String() string {
	switch st.Action {
	case ActionLogin, ActionConsent:
		return st.Action
	case ActionWaitURL:
		return fmt.Sprintf("%s %q", st.Action, st.URL)
	}
	return fmt.Sprintf("%s %q", st.Action, st.Selector)
}

// waitingFor says what the step waits for, for the run's timeout.
func (st Step) waitingFor() string {
	switch st.Action {
	case ActionLogin:
		return "waiting for a password input"
	case ActionConsent:
		return "waiting for a consent page or the redirect URI"
	case ActionWaitURL:
		return fmt.Sprintf("waiting for a URL matching %q", st.URL)
	}
	return fmt.Sprintf("waiting for a visible %q", st.Selector)
}

// timeoutReason says why the step's own timeout ended it.
func (st Step) timeoutReason() string {
	d := seconds(st.timeout())
	switch st.Action {
	case ActionLogin:
		return "no password input appeared within " + d
	case ActionWaitURL:
		return "the page's URL did not match within " + d
	case ActionSubmit:
		return "no element matched within " + d
	}
	return "no visible element matched within " + d
}
