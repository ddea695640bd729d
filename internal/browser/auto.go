package browser

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/chromedp/chromedp"
)

// Bounds of the consent step.
const (
	maxConsentPages = 5               // approvals before the step gives up
	actedSettle     = 2 * time.Second // a page still marked this long after a click did not navigate (a script changed it)
)

// loginJS finds a visible password input and the last visible text, email
// or tel input before it (in its form, if it has one), tags them, and says
// which it found: "", "password" or "username+password".
var loginJS = script(`
	const pw = [...document.querySelectorAll('input[type=password]')].find(oc.vis);
	if (!pw) return '';
	document.querySelectorAll('[data-oauthconf]').forEach(e => e.removeAttribute('data-oauthconf'));
	pw.setAttribute('data-oauthconf', 'password');
	let user = null;
	for (const e of (pw.form || document).querySelectorAll('input')) {
		if (e === pw) break;
		if (['text', 'email', 'tel'].includes(e.type) && oc.vis(e)) user = e;
	}
	if (!user) return 'password';
	user.setAttribute('data-oauthconf', 'username');
	return 'username+password';`)

// submitLoginJS marks the page, then tags the password's form's submit
// button ("click"), or submits the form without one ("submitted"), or, with
// no form, tags the first button after the password ("click") or asks for
// the Enter key ("enter").
var submitLoginJS = script(`
	const pw = document.querySelector('[data-oauthconf=password]');
	if (!pw) return 'gone';
	window.__oauthconfActed = Date.now();
	const buttons = [...(pw.form || document).querySelectorAll('button, input[type=submit], input[type=image], [role=button]')]
		.filter(e => oc.vis(e) && (pw.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING || pw.form));
	const b = pw.form ? buttons.find(e => e.type === 'submit' || e.type === 'image') : buttons[0];
	if (b) { b.setAttribute('data-oauthconf', 'submit'); return 'click'; }
	if (pw.form) { pw.form.requestSubmit ? pw.form.requestSubmit() : pw.form.submit(); return 'submitted'; }
	return 'enter';`)

// consentState is what consentJS sees.
type consentState struct {
	Acted    int    `json:"acted"`    // ms since a step clicked on this page; -1 on a new page
	Password bool   `json:"password"` // a password input is visible
	Approve  string `json:"approve"`  // the label of the approving button, tagged
	Error    string `json:"error"`    // the page's error text
}

// consentJS tags the first visible button or link whose label approves
// (approve, allow, accept, authorize, yes, continue, consent, grant, agree,
// confirm, ok) and does not refuse (deny, cancel, reject, decline, no).
var consentJS = script(`
	const yes = /\b(approve|allow|accept|authori[sz]e|yes|continue|consent|grant|agree|confirm|ok)\b/i;
	const no = /\b(deny|cancel|reject|decline|refuse|no|not now|don't|do not)\b/i;
	const label = e => String(e.innerText || e.value || e.getAttribute('aria-label') || e.title || '').trim();
	document.querySelectorAll('[data-oauthconf=approve]').forEach(e => e.removeAttribute('data-oauthconf'));
	const all = [...document.querySelectorAll('button, input[type=submit], input[type=button], [role=button], a[href]')].filter(oc.vis);
	const ok = all.find(e => yes.test(label(e)) && !no.test(label(e))) ||
		all.find(e => e.tagName !== 'A' && yes.test([e.name, e.id, e.value].join(' ')) && !no.test(label(e)));
	if (ok) ok.setAttribute('data-oauthconf', 'approve');
	return {
		acted: oc.acted(),
		password: [...document.querySelectorAll('input[type=password]')].some(oc.vis),
		approve: ok ? label(ok).slice(0, 80) : '',
		error: oc.errorText(),
	};`)

// loginFailed: the login form is back on a new page, or shows an error.
func (c consentState) loginFailed() bool {
	return c.Password && (c.Acted < 0 || c.Error != "")
}

// canApprove: an approving button on a page that is new, or that a script
// changed since the last click.
func (c consentState) canApprove() bool {
	return c.Approve != "" && !c.Password && (c.Acted < 0 || c.Acted > int(actedSettle/time.Millisecond))
}

// login fills the password input found by loginJS, and the username input
// before it, then submits their form.
func (s *session) login(ctx context.Context) error {
	kind, err := poll(ctx, loginJS, func(k string) bool { return k != "" || s.errorStatus() != 0 })
	if err != nil {
		return err
	}
	if kind == "" {
		return s.errorPage()
	}
	if kind == "username+password" {
		if s.cfg.Username == "" {
			return &stepError{reason: "the login form asks for a username, and none is configured"}
		}
		if err := s.fill(ctx, `[data-oauthconf="username"]`, s.cfg.Username); err != nil {
			return err
		}
	}
	if err := s.fill(ctx, `[data-oauthconf="password"]`, s.cfg.Password); err != nil {
		return err
	}
	how, err := chromedp.Run(ctx, chromedp.Evaluate[string](submitLoginJS))
	switch {
	case err != nil:
		return err
	case how == "click":
		return chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-oauthconf="submit"]`)))
	case how == "enter":
		return chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`[data-oauthconf="password"]`), "\r"))
	}
	return nil
}

// errorPage is the failure of a step that met an error page.
func (s *session) errorPage() error {
	status := s.errorStatus()
	return &stepError{reason: fmt.Sprintf("the server answered %d %s", status, http.StatusText(status))}
}

// consent approves each consent page until the redirect URI ends the run;
// wait bounds the wait for each page.
func (s *session) consent(ctx context.Context, wait time.Duration) error {
	clicked := ""
	for pages := 0; ; pages++ {
		wctx, cancel := context.WithTimeout(ctx, wait)
		c, err := poll(wctx, consentJS, func(c consentState) bool {
			return c.loginFailed() || c.canApprove() || (!c.Password && s.errorStatus() != 0)
		})
		var clickErr error
		if err == nil && c.canApprove() && pages < maxConsentPages {
			clickErr = chromedp.Do(wctx, chromedp.Evaluate[chromedp.Void](markActedJS),
				chromedp.Click(chromedp.CSS(`[data-oauthconf="approve"]`)))
			clicked = c.Approve
		}
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case clickErr != nil:
			return fmt.Errorf("clicking %q: %w", clicked, clickErr)
		case err != nil && clicked != "":
			return &stepError{reason: fmt.Sprintf("after a click on %q, no other consent page appeared and the browser did not go to the redirect URI within %s", clicked, seconds(wait))}
		case err != nil:
			return &stepError{reason: "no consent page appeared and the browser did not go to the redirect URI within " + seconds(wait)}
		case c.loginFailed():
			return &stepError{reason: "the login form came back after the credentials were submitted (wrong username or password?)", text: c.Error}
		case !c.canApprove():
			return s.errorPage()
		case pages == maxConsentPages:
			return &stepError{reason: fmt.Sprintf("still on a consent page after %d approvals", maxConsentPages)}
		}
	}
}
