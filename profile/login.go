package profile

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Login modes (authorize.login.mode).
const (
	LoginHTTP    = "http"    // an HTTP user agent that fills server-rendered forms (the default)
	LoginBrowser = "browser" // headless Chromium, for pages built by JavaScript
)

// Login is the authorize.login section: how the suite, acting as the
// resource owner's user agent, gets through the sign-in and consent pages an
// authorization server shows before it redirects with the code (RFC 6749
// §4.1 (A)-(C)). Every field is documented in docs/profiles.md.
type Login struct {
	// Mode is LoginHTTP (default) or LoginBrowser.
	Mode string `yaml:"mode"`
	// UsernameCredential and PasswordCredential name the credentials that
	// hold the resource owner's username and password (default "username"
	// and "password", the password grant's).
	UsernameCredential string `yaml:"username_credential"`
	PasswordCredential string `yaml:"password_credential"`
	// UsernameField and PasswordField name the sign-in form's inputs; ""
	// finds them (the password by type=password, the username before it).
	UsernameField string `yaml:"username_field"`
	PasswordField string `yaml:"password_field"`
	// Approve and Deny name the consent page's submits (by name, value, id or
	// text). Approve "" presses the first approving one; Deny defaults to "deny".
	Approve string `yaml:"approve"`
	Deny    string `yaml:"deny"`
	// AllowedOrigins are origins (scheme://host[:port]) besides the target's
	// where redirects and form submissions may go (a login app, an IdP).
	AllowedOrigins []string `yaml:"allowed_origins"`
	// MaxHops bounds the requests of one interaction (0: the user agent's default, 10).
	MaxHops int `yaml:"max_hops"`
	// SessionCookie names the cookie that holds the sign-in session, for
	// the session fixation check; "" means any cookie whose name contains "sess".
	SessionCookie string `yaml:"session_cookie"`
	// Steps are the browser's actions (mode browser only); none: sign in,
	// then approve every consent page.
	Steps []LoginStep `yaml:"steps"`
	// Timeout bounds one interaction (default 60s).
	Timeout Duration `yaml:"timeout"`

	lines map[string]int // the line of each key, for error messages
}

// LoginStep is one browser action of authorize.login.steps.
type LoginStep struct {
	Action   string   `yaml:"action"`   // fill, click, wait, wait_url, submit, login, consent
	Selector string   `yaml:"selector"` // a CSS selector (fill, click, wait, submit)
	Value    string   `yaml:"value"`    // fill: the text, or {username} / {password}
	URL      string   `yaml:"url"`      // wait_url: a substring or regular expression of the URL
	Timeout  Duration `yaml:"timeout"`  // how long the step may wait (default 10s)
}

// UnmarshalYAML implements yaml.Unmarshaler: it decodes the section
// strictly (a node's Decode does not refuse unknown keys, so this does) and
// remembers the line of each key for validation errors.
func (l *Login) UnmarshalYAML(n *yaml.Node) error {
	if err := knownKeys(n, "login", "mode", "username_credential", "password_credential", "username_field", "password_field",
		"approve", "deny", "allowed_origins", "max_hops", "session_cookie", "steps", "timeout"); err != nil {
		return err
	}
	for _, k := range mapValue(n, "steps") {
		if err := knownKeys(k, "login step", "action", "selector", "value", "url", "timeout"); err != nil {
			return err
		}
	}
	type plain Login
	var v plain
	if err := n.Decode(&v); err != nil {
		return err
	}
	*l = Login(v)
	l.lines = map[string]int{"": n.Line}
	for i := 0; i+1 < len(n.Content); i += 2 {
		l.lines[n.Content[i].Value] = n.Content[i].Line
	}
	return nil
}

// knownKeys refuses a key of mapping n that is not one of keys.
func knownKeys(n *yaml.Node, what string, keys ...string) error {
	if n.Kind != yaml.MappingNode {
		return nil // Decode reports the type error
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(keys, k.Value) {
			return fmt.Errorf("line %d: field %s not found in the %s section (known: %s)", k.Line, k.Value, what, strings.Join(keys, ", "))
		}
	}
	return nil
}

// mapValue returns the items of the sequence under key of mapping n.
func mapValue(n *yaml.Node, key string) []*yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.SequenceNode {
			return n.Content[i+1].Content
		}
	}
	return nil
}

// UsernameName returns the name of the username credential.
func (l *Login) UsernameName() string {
	if l == nil || l.UsernameCredential == "" {
		return "username"
	}
	return l.UsernameCredential
}

// PasswordName returns the name of the password credential.
func (l *Login) PasswordName() string {
	if l == nil || l.PasswordCredential == "" {
		return "password"
	}
	return l.PasswordCredential
}

// at prefixes a problem with the field and the line of its key.
func (l *Login) at(field string) string {
	line, ok := l.lines[field]
	if !ok {
		line = l.lines[""]
	}
	if field != "" {
		field = "." + field
	}
	if line == 0 {
		return "authorize.login" + field
	}
	return fmt.Sprintf("line %d: authorize.login%s", line, field)
}

// validateLogin checks authorize.login and fills in its defaults.
func (p *Profile) validateLogin(e *problems) {
	l := p.Authorize.Login
	if l == nil {
		return
	}
	switch l.Mode {
	case "":
		l.Mode = LoginHTTP
	case LoginHTTP, LoginBrowser:
	default:
		e.bad("%s: %q is not http or browser", l.at("mode"), l.Mode)
	}
	for field, name := range map[string]string{"username_credential": l.UsernameName(), "password_credential": l.PasswordName()} {
		if _, ok := p.Credentials[name]; !ok {
			e.bad("%s: %q names no credential declared under credentials", l.at(field), name)
		}
	}
	if l.Deny == "" {
		l.Deny = "deny"
	}
	for _, o := range l.AllowedOrigins {
		if err := checkOrigin(o); err != nil {
			e.bad("%s: %v", l.at("allowed_origins"), err)
		}
	}
	if l.MaxHops < 0 || l.MaxHops > 100 {
		e.bad("%s: %d is not between 0 (the default, 10) and 100", l.at("max_hops"), l.MaxHops)
	}
	if len(l.Steps) > 0 && l.Mode != LoginBrowser {
		e.bad("%s: steps are for mode browser (the HTTP user agent finds its way alone)", l.at("steps"))
	}
	for i, st := range l.Steps {
		if msg := st.problem(); msg != "" {
			e.bad("%s[%d]: %s", l.at("steps"), i, msg)
		}
	}
}

// checkOrigin accepts scheme://host[:port] with nothing after it.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not an origin (scheme://host[:port], e.g. https://login.example.com)", o)
	}
	return nil
}

// problem says what is wrong with one browser step, or "".
func (st LoginStep) problem() string {
	switch st.Action {
	case "fill", "click", "wait", "submit":
		if st.Selector == "" {
			return fmt.Sprintf("action %s needs a selector", st.Action)
		}
	case "wait_url":
		if st.URL == "" {
			return "action wait_url needs a url"
		}
	case "login", "consent":
	default:
		return fmt.Sprintf("action %q is not one of %s", st.Action, strings.Join([]string{"fill", "click", "wait", "wait_url", "submit", "login", "consent"}, ", "))
	}
	return ""
}
