package browser

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsRedirect(t *testing.T) {
	redirect, err := url.Parse("https://client.example.com/cb")
	require.NoError(t, err)
	tests := []struct {
		description string
		url         string
		want        bool
	}{
		{"the redirect URI with a code", "https://client.example.com/cb?code=abc&state=x", true},
		{"the default port written out", "https://client.example.com:443/cb?code=abc", true},
		{"the host in upper case", "https://CLIENT.example.com/cb", true},
		{"another path", "https://client.example.com/cb2?code=abc", false},
		{"another scheme", "http://client.example.com/cb?code=abc", false},
		{"another port", "https://client.example.com:8443/cb?code=abc", false},
		{"another host", "https://evil.example.com/cb?code=abc", false},
		{"the redirect URI inside another URL's query", "https://evil.example.com/?u=https://client.example.com/cb", false},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			assert.Equal(t, tc.want, isRedirect(tc.url, redirect))
		})
	}
}

func TestAllowedURL(t *testing.T) {
	auth, err := url.Parse("http://127.0.0.1:8080/authorize")
	require.NoError(t, err)
	origins, err := parseOrigins(auth, []string{"https://login.example.com"})
	require.NoError(t, err)
	tests := []struct {
		description string
		url         string
		want        bool
	}{
		{"the authorization URL's origin", "http://127.0.0.1:8080/login", true},
		{"an allowed origin with its default port", "https://login.example.com:443/u/login", true},
		{"the browser's blank page", "about:blank", true},
		{"the authorization host on another port", "http://127.0.0.1:8081/login", false},
		{"an allowed host over plain http", "http://login.example.com/u/login", false},
		{"a foreign host", "https://phish.example.net/login", false},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			assert.Equal(t, tc.want, allowedURL(tc.url, origins))
		})
	}
	_, err = parseOrigins(auth, []string{"login.example.com"})
	assert.ErrorContains(t, err, `allowed origin "login.example.com" is not an absolute URL`)
}

func TestURLMatches(t *testing.T) {
	tests := []struct {
		description string
		url, want   string
		match       bool
	}{
		{"a substring", "http://127.0.0.1/consent?x=1", "/consent", true},
		{"a regular expression", "http://127.0.0.1/u/consent/42", `/consent/\d+$`, true},
		{"a substring that is not there", "http://127.0.0.1/login", "/consent", false},
		{"an invalid regular expression is only a substring", "http://127.0.0.1/login", "(", false},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			assert.Equal(t, tc.match, urlMatches(tc.url, tc.want))
		})
	}
}

// TestHopsHideThePassword: the hops the package reports hide the configured
// password in every form internal/redact knows, with its one marker.
func TestHopsHideThePassword(t *testing.T) {
	const pw = "p@ss word&1"
	// "true" is found on PATH: newRun only looks the browser up.
	r, err := newRun("http://127.0.0.1:1/authorize", "http://127.0.0.1:2/cb", Config{Password: pw, ChromiumPath: "true"}, nil)
	require.NoError(t, err)
	var got []Hop
	r.onHop = func(h Hop) { got = append(got, h) }
	s := &session{run: r}
	tests := []struct {
		description string
		in, want    string
	}{
		{"the raw password", "echo p@ss word&1 back", "echo [REDACTED] back"},
		{"a query-encoded password from a GET form", "/login?password=p%40ss+word%261", "/login?password=[REDACTED]"},
		{"a path-encoded password", "/x/p@ss%20word&1", "/x/[REDACTED]"},
		{"a strictly percent-encoded password", "/x?p=p%40ss%20word%261", "/x?p=[REDACTED]"},
		{"a JSON-escaped password in a page", `{"pw":"p@ss word\u00261"}`, `{"pw":"[REDACTED]"}`},
		{"an HTML-escaped password in a page", `value="p@ss word&amp;1"`, `value="[REDACTED]"`},
		{"text without it", "Invalid username or password.", "Invalid username or password."},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			got = nil
			s.emit(Hop{Method: "GET", URL: tc.in, Title: tc.in})
			require.Len(t, got, 1)
			assert.Equal(t, tc.want, got[0].URL)
			assert.Equal(t, tc.want, got[0].Title)
		})
	}
}

func TestPageText(t *testing.T) {
	tests := []struct {
		description string
		in, want    string
	}{
		{"white space runs become one space", "  Invalid\n\tpassword.  \r\n", "Invalid password."},
		{"an escape sequence is shown escaped", "red \x1b[31mtext", `red \x1b[31mtext`},
		{"a bidi override is shown escaped", "abc\u202edef", `abc\u202edef`},
		{"invalid UTF-8 is shown as a replacement", "a\xffb", `a\ufffdb`},
		{"long text is cut", strings.Repeat("é", maxPageText+10), strings.Repeat("é", maxPageText) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			assert.Equal(t, tc.want, pageText(tc.in))
		})
	}
}

func TestInteractionErrorMessage(t *testing.T) {
	tests := []struct {
		description string
		err         InteractionError
		want        string
	}{
		{
			description: "a step that found no element names the page",
			err: InteractionError{Step: 3, Action: `click "button#approve"`, URL: "http://127.0.0.1:8080/consent",
				Title: "Authorize", Reason: "no visible element matched within 10s"},
			want: `could not obtain a code at step 3 (click "button#approve"): no visible element matched within 10s ` +
				`on http://127.0.0.1:8080/consent (title "Authorize")`,
		},
		{
			description: "the page's error text is quoted",
			err: InteractionError{Step: 2, Action: "consent", URL: "http://127.0.0.1:8080/login", Title: "Sign in",
				Text: "Invalid username or password.", Reason: "the login form came back"},
			want: `could not obtain a code at step 2 (consent): the login form came back on http://127.0.0.1:8080/login ` +
				`(title "Sign in"); the page says "Invalid username or password."`,
		},
		{
			description: "opening the authorization URL",
			err:         InteractionError{Reason: "the authorization URL did not load: net::ERR_CONNECTION_REFUSED"},
			want:        "could not obtain a code while opening the authorization URL: the authorization URL did not load: net::ERR_CONNECTION_REFUSED",
		},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
		})
	}
}

func TestNewRunRefuses(t *testing.T) {
	const auth, redirect = "http://127.0.0.1:8080/authorize", "http://127.0.0.1:9/cb"
	tests := []struct {
		description       string
		authURL, redirect string
		cfg               Config
		want              string
	}{
		{"a relative authorization URL", "/authorize", redirect, Config{Password: "pw"}, "is not an absolute http(s) URL"},
		{"a redirect URI the browser cannot intercept", auth, "com.example.app:/cb", Config{Password: "pw"}, "redirect URI \"com.example.app:/cb\" is not an http(s) URL"},
		{"an unknown action", auth, redirect, Config{Password: "pw", Steps: []Step{{Action: "type"}}}, `step 1: unknown action "type"`},
		{"a click without a selector", auth, redirect, Config{Password: "pw", Steps: []Step{{Action: ActionClick}}}, "step 1 (click) needs a selector"},
		{"a wait_url without a URL", auth, redirect, Config{Password: "pw", Steps: []Step{{Action: ActionWaitURL}}}, "step 1 (wait_url) needs a URL"},
		{"the default login without a password", auth, redirect, Config{Username: "alice"}, "step 1 (login) needs a password"},
		{"a fill of the password without one", auth, redirect,
			Config{Steps: []Step{{Action: ActionFill, Selector: "#pw", Value: "{password}"}}}, `step 1 (fill "#pw") needs a password`},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			_, err := newRun(tc.authURL, tc.redirect, tc.cfg, nil)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestHopString(t *testing.T) {
	tests := []struct {
		description string
		hop         Hop
		want        string
	}{
		{"a redirect", Hop{Method: "POST", URL: "http://127.0.0.1:8080/login", Status: 302}, "POST http://127.0.0.1:8080/login 302"},
		{"a page with its title", Hop{Method: "GET", URL: "http://127.0.0.1:8080/consent", Status: 200, Title: "Authorize"},
			`GET http://127.0.0.1:8080/consent 200 "Authorize"`},
		{"the stopped redirect", Hop{Method: "GET", URL: "http://127.0.0.1:9/cb?code=x", Note: "the redirect URI: read, not sent"},
			"GET http://127.0.0.1:9/cb?code=x (the redirect URI: read, not sent)"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.hop.String())
		})
	}
}
