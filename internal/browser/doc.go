// Package browser drives a headless Chromium through the login and consent
// pages of an authorization server, for servers whose pages are built by
// JavaScript so that an HTTP form-filler cannot get through (issue 12).
//
// [Authorize] opens the authorization request (RFC 6749 §4.1.1) in a fresh
// browser, runs a list of [Step]s like the OpenID Foundation conformance
// suite's "browser" block (fill, click, wait, wait_url, submit) or, with no
// steps, a default that fills a login form and approves a consent page, and
// returns the first redirect to the client's redirect URI (RFC 6749 §3.1.2,
// §4.1.2), which carries the code. That request is intercepted and never
// sent, so nothing needs to listen at the redirect URI.
//
// Every top-level navigation is reported as a [Hop] for the transcript. A run
// that cannot reach the redirect URI ends with an [*InteractionError] that
// names the step, the page's URL and title and its error text: a failed
// interaction, not a failure of the server under test. When Chromium is not
// installed the error wraps [ErrNoChromium].
//
// The package reaches the server only through the browser; it shares no code
// with the reference server.
package browser
