package profile

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/oauthconf/oauthconf/internal/redact"
	"go.yaml.in/yaml/v3"
)

// Credentials holds the resolved values of a profile's named credentials. It is
// immutable after Resolve and safe for concurrent use.
type Credentials struct {
	values  map[string]string
	secrets []string         // values to redact, longest first
	red     *redact.Redactor // hides every wire form of secrets; built once
}

// EnvName is the environment variable that supplies credential name:
// OAUTHCONF_<NAME> with the name upper-cased (OAUTHCONF_CLIENT_SECRET).
func EnvName(name string) string {
	return "OAUTHCONF_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
}

// CredentialNames returns the names of the credentials p declares, sorted.
func CredentialNames(p *Profile) []string {
	names := make([]string, 0, len(p.Credentials))
	for n := range p.Credentials {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve finds a value for every credential the profile declares, in this
// order: given (flags or a credentials file), the environment (see EnvName),
// the declared default. A required credential with no value is an error naming
// the flag and variable that would supply it. Values given for names the
// profile does not declare are kept (and redacted) but otherwise unused.
func Resolve(p *Profile, given map[string]string, getenv func(string) string) (Credentials, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Credentials{values: map[string]string{}}
	var missing, derived []string
	names := make([]string, 0, len(p.Credentials))
	for n := range p.Credentials {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		spec := p.Credentials[name]
		if spec == nil {
			spec = &CredentialSpec{}
		}
		v, ok := given[name]
		if !ok || v == "" {
			v = getenv(EnvName(name))
		}
		if v == "" {
			v = spec.Default
			if strings.Contains(v, "${") {
				derived = append(derived, name)
			}
		}
		if v == "" && !spec.Optional {
			missing = append(missing, fmt.Sprintf("%s (--credential %s=… or %s)", name, name, EnvName(name)))
			continue
		}
		if v != "" {
			c.values[name] = v
			if spec.Secret && !(len(derived) > 0 && derived[len(derived)-1] == name) {
				c.secrets = append(c.secrets, v)
			}
		}
	}
	for name, v := range given {
		if _, declared := p.Credentials[name]; !declared && v != "" {
			c.values[name] = v
			c.secrets = append(c.secrets, v)
		}
	}
	c.seal()
	if len(missing) > 0 {
		return c, fmt.Errorf("profile %s: missing credentials: %s", p.Name, strings.Join(missing, "; "))
	}
	// A default may name other credentials ("${client_id}"): one credential
	// that defaults to another's value.
	for _, name := range derived {
		v, err := c.Expand(c.values[name])
		if err != nil && p.Credentials[name].Optional {
			delete(c.values, name) // what it refers to is not given either
			continue
		}
		if err != nil {
			return c, fmt.Errorf("profile %s: credential %s: default: %w", p.Name, name, err)
		}
		if strings.Contains(v, "${") {
			return c, fmt.Errorf("profile %s: credential %s: default %q refers to a credential that is itself a reference", p.Name, name, c.values[name])
		}
		c.values[name] = v
		if spec := p.Credentials[name]; spec != nil && spec.Secret && v != "" {
			c.secrets = append(c.secrets, v)
		}
	}
	c.seal()
	return c, nil
}

// NewCredentials builds Credentials from a plain map; every value listed in
// secret is redacted. It is meant for tests and for the embedded reference.
func NewCredentials(values map[string]string, secret ...string) Credentials {
	c := Credentials{values: map[string]string{}}
	for k, v := range values {
		c.values[k] = v
	}
	for _, k := range secret {
		if v := values[k]; v != "" {
			c.secrets = append(c.secrets, v)
		}
	}
	c.seal()
	return c
}

// seal sorts the secrets and builds the redactor over them (see Redactor).
func (c *Credentials) seal() {
	sort.Slice(c.secrets, func(i, j int) bool { return len(c.secrets[i]) > len(c.secrets[j]) })
	c.red = c.Redactor()
}

// Get returns the value of credential name.
func (c Credentials) Get(name string) (string, bool) {
	v, ok := c.values[name]
	return v, ok
}

// Has reports whether every named credential has a value.
func (c Credentials) Has(names ...string) bool {
	for _, n := range names {
		if c.values[n] == "" {
			return false
		}
	}
	return true
}

// Expand replaces ${name} references in s with credential values. ${token.X}
// references are left for the caller. An unknown name is an error.
func (c Credentials) Expand(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			return "", fmt.Errorf("unterminated ${ in %q", s)
		}
		name := s[i+2 : i+j]
		b.WriteString(s[:i])
		if strings.HasPrefix(name, "token.") {
			b.WriteString(s[i : i+j+1])
		} else {
			v, ok := c.values[name]
			if !ok {
				return "", fmt.Errorf("credential %q has no value", name)
			}
			b.WriteString(v)
		}
		s = s[i+j+1:]
	}
}

// Redact replaces every secret credential value in s with "[REDACTED]", in
// every form it takes on the wire: raw, percent- and form-encoded,
// JSON-escaped, and inside the client's Basic credentials (see
// internal/redact.Forms). Values shorter than three bytes are left alone.
func (c Credentials) Redact(s string) string { return c.red.Known(s) }

// Redactor returns a new redactor that knows every secret of c and the
// client's HTTP Basic credentials (RFC 6749 §2.3.1); callers add the tokens
// they see and the phrases they keep.
func (c Credentials) Redactor() *redact.Redactor {
	r := redact.New(c.secrets...)
	if id, secret := c.values["client_id"], c.values["client_secret"]; secret != "" && slices.Contains(c.secrets, secret) {
		r.Basic(id, secret)
	}
	return r
}

// Secrets returns the values that Redact hides, longest first.
func (c Credentials) Secrets() []string { return append([]string(nil), c.secrets...) }

// ParseCredentialFlag splits a --credential NAME=VALUE argument.
func ParseCredentialFlag(arg string) (name, value string, err error) {
	name, value, ok := strings.Cut(arg, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return "", "", fmt.Errorf("--credential %q: want NAME=VALUE", redactArg(arg))
	}
	return strings.TrimSpace(name), value, nil
}

func redactArg(arg string) string {
	if name, _, ok := strings.Cut(arg, "="); ok {
		return name + "=…"
	}
	return arg
}

// ReadCredentialsFile reads a YAML map of credential names to values.
func ReadCredentialsFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	var m map[string]string
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("credentials file %s: %w", path, err)
	}
	return m, nil
}
