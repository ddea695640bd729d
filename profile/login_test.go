package profile

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// loginProfile is a code-flow profile whose authorize.login section is login.
func loginProfile(login string) string {
	return "name: x\ntoken: {path: /t}\ncredentials: {client_id: {}, client_secret: {secret: true}, username: {}, password: {secret: true}, email: {}}\n" +
		"grants: {authorization_code: {}}\nauthorize:\n  path: /a\n  login:\n" + login
}

func TestLoginSectionErrorsNameFieldAndLine(t *testing.T) {
	cases := []struct {
		description string
		login       string
		wantErr     string
	}{
		{"an unknown mode", "    mode: firefox\n", `line 8: authorize.login.mode: "firefox" is not http or browser`},
		{"an unknown key", "    mode: http\n    aprove: Allow\n", "line 9: field aprove not found in the login section"},
		{"an unknown step key", "    mode: browser\n    steps: [{action: click, selektor: '#x'}]\n", "field selektor not found in the login step section"},
		{"an undeclared credential", "    username_credential: user_name\n", `line 8: authorize.login.username_credential: "user_name" names no credential`},
		{"an origin with a path", "    allowed_origins: [https://login.example.com/app]\n", `line 8: authorize.login.allowed_origins: "https://login.example.com/app" is not an origin`},
		{"too many hops", "    max_hops: 1000\n", "line 8: authorize.login.max_hops: 1000 is not between 0"},
		{"steps in http mode", "    steps: [{action: login}]\n", "line 8: authorize.login.steps: steps are for mode browser"},
		{"a step without its selector", "    mode: browser\n    steps: [{action: fill, value: '{username}'}]\n", "authorize.login.steps[0]: action fill needs a selector"},
		{"an unknown action", "    mode: browser\n    steps: [{action: tap}]\n", `authorize.login.steps[0]: action "tap" is not one of fill, click`},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			_, err := Parse([]byte(loginProfile(tc.login)), "test.yaml")
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestLoginSectionDefaults(t *testing.T) {
	p, err := Parse([]byte(loginProfile("    username_credential: email\n    allowed_origins: [https://idp.example.com:8443]\n")), "test.yaml")
	require.NoError(t, err)
	l := p.Authorize.Login
	require.Equal(t, LoginHTTP, l.Mode, "mode defaults to http")
	require.Equal(t, "deny", l.Deny, "deny defaults to the word deny")
	require.Equal(t, "email", l.UsernameName())
	require.Equal(t, "password", l.PasswordName(), "the password grant's credential by default")
	var none *Login
	require.Equal(t, "username", none.UsernameName(), "no section: the username credential")
}
