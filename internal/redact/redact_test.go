package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	cases := []struct {
		description string
		in, want    string
	}{
		{"Basic header keeps the scheme", "> Authorization: Basic dXNlcjpwYXNz", "> Authorization: Basic [REDACTED]"},
		{"Bearer header", "Authorization: Bearer eyJhbGciOi.abc.def", "Authorization: Bearer [REDACTED]"},
		{"header in the middle of a line", "got 200 (Authorization: abcdef123)", "got 200 (Authorization: [REDACTED])"},
		{"header in a JSON header map", `{"Authorization":["Basic dXNlcjpwYXNz"]}`, `{"Authorization":["Basic [REDACTED]"]}`},
		{"header in an escaped JSON header map", `"{\"Authorization\":\"Basic dXNlcjpwYXNz\"}"`, `"{\"Authorization\":\"Basic [REDACTED]\"}"`},
		{"header without scheme", "authorization: secretvalue", "authorization: [REDACTED]"},
		{"already redacted header is kept", "Authorization: Basic [REDACTED]", "Authorization: Basic [REDACTED]"},
		{"bearer token in an error message", "got 200 with Bearer abcdefgh12345678", "got 200 with Bearer [REDACTED]"},
		{"JSON token fields", `{"access_token":"tok-123","refresh_token":"r-456","token_type":"Bearer"}`, `{"access_token":"[REDACTED]","refresh_token":"[REDACTED]","token_type":"Bearer"}`},
		{"JSON with spaces and escapes", `{"password" : "a\"b\\c", "x":1}`, `{"password" : "[REDACTED]", "x":1}`},
		{"JSON inside a JSON string", `{"echo":"{\"client_secret\":\"s3\\\"cr\"}"}`, `{"echo":"{\"client_secret\":\"[REDACTED]\"}"}`},
		{"a JSON value cut short", `{"access_token":"abcdefghij`, `{"access_token":"[REDACTED]`},
		{"form fields", "grant_type=password&username=alice&password=hunter2&client_secret=shh", "grant_type=password&username=alice&password=[REDACTED]&client_secret=[REDACTED]"},
		{"form fields JSON-escaped", `"body":"grant_type=password\u0026password=hunter2\u0026x=1"`, `"body":"grant_type=password\u0026password=[REDACTED]\u0026x=1"`},
		{"form fields percent-encoded in a URL", "next=%2Ftoken%3Fgrant_type%3Dpassword%26password%3Dhunter2%26x%3D1", "next=%2Ftoken%3Fgrant_type%3Dpassword%26password%3D[REDACTED]%26x%3D1"},
		{"new RFC names: assertion, token", "client_assertion=eyJ.x.y&token=abc123", "client_assertion=[REDACTED]&token=[REDACTED]"},
		{"names are whole words", "my_password=x&access_token_type=y", "my_password=x&access_token_type=y"},
		{"code in a redirect URL", "Location: https://client.example/cb?code=SplxlOBe&state=xyz", "Location: https://client.example/cb?code=[REDACTED]&state=xyz"},
		{"cookies keep their names", "Set-Cookie: session=abc; HttpOnly", "Set-Cookie: session=[REDACTED]; HttpOnly"},
		{"every cookie of a Cookie header", "> Cookie: a=1; b=2", "> Cookie: a=[REDACTED]; b=[REDACTED]"},
		{"URL userinfo", "GET https://alice:pw@example.com/x failed", "GET https://[REDACTED]@example.com/x failed"},
		{"harmless text is unchanged", `the token request is refused with "invalid_grant"`, `the token request is refused with "invalid_grant"`},
		{"Basic auth mentioned in prose is unchanged", "uses Basic auth", "uses Basic auth"},
		{"a step about Bearer challenges is prose", "the answer carries a Bearer challenge without an error code", "the answer carries a Bearer challenge without an error code"},
		{"a long all-letter bearer value is still a credential", "sent Bearer abcdefghijklmnopqrstuvwxyz", "sent Bearer [REDACTED]"},
		{"an all-letter value in an Authorization header is still hidden", "Authorization: Bearer challenges", "Authorization: Bearer [REDACTED]"},
		{"a shortened token stays", `{"access_token":"abcdef…"}`, `{"access_token":"abcdef…"}`},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got := Text(tc.in)
			if got != tc.want {
				t.Fatalf("Text(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if again := Text(got); again != got {
				t.Fatalf("Text is not idempotent: %q then %q", got, again)
			}
		})
	}
}

// secret has every character that encoders treat specially.
const secret = `p&ss/w+rd é"<x>%\`

func TestRedactorHidesEveryForm(t *testing.T) {
	r := New().Basic("my client", secret)
	jsonHTML, _ := json.Marshal(secret)
	cases := []struct {
		description string
		in          string
	}{
		{"raw", "echo: " + secret},
		{"form-encoded (QueryEscape)", "client_id=x&client_secreT=" + url.QueryEscape(secret)},
		{"path-escaped", "/x/" + url.PathEscape(secret) + "/y"},
		{"lower-case percent hex", strings.ToLower(url.QueryEscape(secret))},
		{"encoded twice (a URL in a URL)", "redirect=" + url.QueryEscape("a?s="+url.QueryEscape(secret))},
		{"JSON-escaped with HTML escapes", `{"echo":` + string(jsonHTML) + `}`},
		{"JSON-escaped, PHP style", `{"echo":"` + strings.ReplaceAll(string(jsonHTML[1:len(jsonHTML)-1]), "/", `\/`) + `"}`},
		{"JSON-escaped, Python style", `{"echo": "p&ss/w+rd \u00e9\"<x>%\\"}`},
		{"Basic of the form-encoded pair (RFC 6749 §2.3.1)", "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape("my client")+":"+url.QueryEscape(secret)))},
		{"Basic of the raw pair", "echo=" + base64.StdEncoding.EncodeToString([]byte("my client:"+secret))},
		{"a cookie value", "Set-Cookie: s=" + url.QueryEscape(secret) + "; Path=/"},
		{"HTML-escaped", "<p>p&amp;ss/w+rd é&#34;&lt;x&gt;%\\</p>"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got := r.Text(tc.in)
			for _, f := range append(Forms(secret), BasicForms("my client", secret)...) {
				if strings.Contains(got, f) {
					t.Fatalf("Text(%q) = %q, still shows %q", tc.in, got, f)
				}
			}
			if !strings.Contains(got, Marker) {
				t.Fatalf("Text(%q) = %q, want %s in it", tc.in, got, Marker)
			}
		})
	}
}

func TestBasicPaddingIsHidden(t *testing.T) {
	in := "X-Echo: Basic " + base64.StdEncoding.EncodeToString([]byte("ab:secret1")) + " x" // "==" padded
	if got := New().Basic("ab", "secret1").Known(in); got != "X-Echo: Basic [REDACTED] x" {
		t.Fatalf("Known(%q) = %q", in, got)
	}
}

func TestTokensAreShortened(t *testing.T) {
	r := New("s3cret-value").Tokens("eyJhbGciOiJIUzI1NiJ9.payload.signature", "code+with/slash=")
	cases := []struct {
		description string
		in, want    string
	}{
		{"a known token keeps six characters", `{"x":"eyJhbGciOiJIUzI1NiJ9.payload.signature"}`, `{"x":"eyJhbG…"}`},
		{"a percent-encoded code", "Location: https://c/cb?state=1&c=code%2Bwith%2Fslash%3D", "Location: https://c/cb?state=1&c=code%2…"},
		{"a secret next to a token is hidden whole", "s3cret-valueeyJhbGciOiJIUzI1NiJ9.payload.signature", Marker},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got := r.Text(tc.in)
			if got != tc.want {
				t.Fatalf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := r.Text(got); again != got {
				t.Fatalf("a second Text changed %q to %q", got, again)
			}
		})
	}
}

func TestKeep(t *testing.T) {
	r := New("shopware").Keep("profile shopware")
	cases := []struct {
		description string
		in, want    string
	}{
		{"the kept phrase stays", `profile shopware has no "shopware" resource`, `profile shopware has no "[REDACTED]" resource`},
		{"without the phrase the word is hidden", "password shopware", "password [REDACTED]"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			if got := r.Text(tc.in); got != tc.want {
				t.Fatalf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	long := New("xprofile shopwarey").Keep("profile shopware")
	if got := long.Text("a xprofile shopwarey b"); got != "a [REDACTED] b" {
		t.Fatalf("a secret that contains a kept phrase: got %q", got)
	}
}

func TestCutRedactsFirst(t *testing.T) {
	tok := "abcdefghijklmnopqrstuvwxyz0123456789"
	r := New("0123456789secret")
	cases := []struct {
		description string
		in          string
		n           int
		want        string
		cut         bool
	}{
		{"a known secret straddling the cut", strings.Repeat("x", 10) + "0123456789secret tail", 15, "xxxxxxxxxx[REDA", true},
		{"an unknown token value straddling the cut", `{"access_token":"` + tok + `"}`, 20, `{"access_token":"[RE`, true},
		{"short text is not cut", "hello", 10, "hello", false},
		{"a cut never splits a rune", "ééé", 3, "é", true},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got, cut := r.Cut(tc.in, tc.n)
			if got != tc.want || cut != tc.cut {
				t.Fatalf("Cut(%q, %d) = %q, %v; want %q, %v", tc.in, tc.n, got, cut, tc.want, tc.cut)
			}
		})
	}
	// Text someone else cut before redacting, marked with "…": the part of
	// the secret before the mark is hidden too.
	if got := r.Text(`body: {"x":"0123456789se…`); got != `body: {"x":"[REDACTED]…` {
		t.Fatalf("a secret cut before redaction: got %q", got)
	}
	big := strings.Repeat("y", 1<<20) + "0123456789secret"
	if got, _ := r.Cut(big, 100); len(got) != 100 {
		t.Fatalf("Cut of a 1 MiB text to 100 bytes gave %d bytes", len(got))
	}
}

func TestHeaderValue(t *testing.T) {
	cases := []struct {
		description string
		name, value string
		want        string
	}{
		{"Authorization keeps the scheme", "authorization", "Basic dXNlcjpwYXNz", "Basic [REDACTED]"},
		{"Proxy-Authorization", "Proxy-Authorization", "Bearer x.y.z", "Bearer [REDACTED]"},
		{"a scheme-less value", "Authorization", "abc", Marker},
		{"cookies keep names, not values", "Cookie", "sid=abc; theme=dark", "sid=[REDACTED]; theme=[REDACTED]"},
		{"Set-Cookie keeps its attributes", "Set-Cookie", "sid=abc; Path=/; HttpOnly", "sid=[REDACTED]; Path=/; HttpOnly"},
		{"a header named after a token", "X-Refresh-Token", "abc", Marker},
		{"an ordinary header is kept", "Content-Type", "application/json", "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			if got := HeaderValue(tc.name, tc.value); got != tc.want {
				t.Fatalf("HeaderValue(%q, %q) = %q, want %q", tc.name, tc.value, got, tc.want)
			}
		})
	}
	h := Header(http.Header{"Authorization": {"Basic abc"}, "Accept": {"*/*"}})
	if h.Get("Authorization") != "Basic "+Marker || h.Get("Accept") != "*/*" {
		t.Fatalf("Header = %v", h)
	}
}

func TestEscapeControl(t *testing.T) {
	cases := []struct {
		description string
		in, want    string
		line        bool
	}{
		{"ESC sequences are shown, not run", "\x1b[2J\x1b[32mall checks passed", `\x1b[2J\x1b[32mall checks passed`, false},
		{"CR and BEL", "ok\rFAIL\a", `ok\x0dFAIL\x07`, false},
		{"newlines and tabs stay in text", "a\n\tb", "a\n\tb", false},
		{"newlines and tabs are escaped in a line", "a\n\tb", `a\x0a\x09b`, true},
		{"C1 controls", "a\u009bb", `a\x9bb`, false},
		{"bidi overrides", "abc\u202edef\u2066", `abc\u202edef\u2066`, false},
		{"invalid UTF-8", "a\xffb", `a\xffb`, false},
		{"ordinary Unicode stays", "é → ✓", "é → ✓", false},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			f := EscapeControl
			if tc.line {
				f = EscapeLine
			}
			if got := f(tc.in); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	for _, p := range []string{"client_secret", "password", "code", "code_verifier", "refresh_token", "access_token", "token", "assertion", "client_assertion", "id_token"} {
		if !IsSecretParam(p) || !IsSecretParam(strings.ToUpper(p)) {
			t.Errorf("IsSecretParam(%q) = false", p)
		}
	}
	for _, h := range []string{"Authorization", "cookie", "Set-Cookie", "Proxy-Authorization", "X-Api-Key"} {
		if !IsSecretHeader(h) {
			t.Errorf("IsSecretHeader(%q) = false", h)
		}
	}
	if IsSecretParam("grant_type") || IsSecretHeader("Content-Type") {
		t.Error("grant_type or Content-Type called secret")
	}
}

// FuzzNoKnownFormSurvives: whatever the secret and the text around it, no
// form of a known secret (nor of its Basic pair) is left in Text's or Cut's
// output.
func FuzzNoKnownFormSurvives(f *testing.F) {
	f.Add("p&ss/w+rd", "client", "before ", " after", 10)
	f.Add(`a"b\c<d>`, "id", `{"x":"`, `"}`, 3)
	f.Add("shopware", "shopware", "profile ", "", 0)
	f.Add("é€ 𝄞", "c l", "", "", 100)
	f.Fuzz(func(t *testing.T, secret, id, before, after string, n int) {
		if len(secret) < minSecret || !utf8.ValidString(secret) || n < 0 {
			t.Skip()
		}
		r := New().Basic(id, secret)
		forms := append(Forms(secret), BasicForms(id, secret)...)
		for _, f := range forms {
			in := before + f + after
			got := r.Text(in)
			cut, _ := r.Cut(in, n)
			for _, g := range forms {
				if strings.Contains(got, g) && !strings.Contains(before+Marker+after, g) {
					t.Fatalf("Text(%q) = %q shows %q", in, got, g)
				}
				if strings.Contains(cut, g) && !strings.Contains(before+Marker+after, g) {
					t.Fatalf("Cut(%q, %d) = %q shows %q", in, n, cut, g)
				}
			}
		}
	})
}
