package reference

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed demo.yaml
var demoYAML []byte

// Config is the reference server's configuration: the stores, clients, users and
// lifetimes of each dialect. DemoConfig returns the built-in one.
type Config struct {
	Ucommerce   UcommerceConfig   `yaml:"ucommerce"`
	Shopware    ShopwareConfig    `yaml:"shopware"`
	ElasticPath ElasticPathConfig `yaml:"elasticpath"`
	RFC6749     RFC6749Config     `yaml:"rfc6749"`
}

// UcommerceConfig configures the Ucommerce dialect: one client per store.
type UcommerceConfig struct {
	Stores     []UcommerceStore `yaml:"stores"`
	CodeTTL    Duration         `yaml:"code_ttl"`
	AccessTTL  Duration         `yaml:"access_ttl"`
	RefreshTTL Duration         `yaml:"refresh_ttl"`
	SigningKey string           `yaml:"signing_key"`
}

// UcommerceStore is one store's API access: its client and URL whitelist.
type UcommerceStore struct {
	Name         string   `yaml:"name"`
	ClientID     string   `yaml:"client_id"`
	ClientSecret string   `yaml:"client_secret"`
	RedirectURIs []string `yaml:"redirect_uris"`
}

// ShopwareConfig configures the Shopware Admin API dialect.
type ShopwareConfig struct {
	Integrations []ShopwareIntegration `yaml:"integrations"`
	Users        []ShopwareUser        `yaml:"users"`
	AccessTTL    Duration              `yaml:"access_ttl"`
	RefreshTTL   Duration              `yaml:"refresh_ttl"`
	SigningKey   string                `yaml:"signing_key"`
}

// ShopwareIntegration is an integration's access key pair (client_credentials).
type ShopwareIntegration struct {
	Name            string `yaml:"name"`
	AccessKeyID     string `yaml:"access_key_id"`
	SecretAccessKey string `yaml:"secret_access_key"`
}

// ShopwareUser is an admin user (password grant).
type ShopwareUser struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	Admin    bool   `yaml:"admin"`
}

// ElasticPathConfig configures the Elastic Path dialect.
type ElasticPathConfig struct {
	Clients          []ElasticPathClient `yaml:"clients"`
	Customers        []EPCustomer        `yaml:"customers"`
	AccountMembers   []EPAccountMember   `yaml:"account_members"`
	AccessTTL        Duration            `yaml:"access_ttl"`
	CustomerTokenTTL Duration            `yaml:"customer_token_ttl"`
	AccountTokenTTL  Duration            `yaml:"account_token_ttl"`
	SigningKey       string              `yaml:"signing_key"`
}

// ElasticPathClient is an application key.
type ElasticPathClient struct {
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
}

// EPCustomer is a customer who may obtain customer tokens.
type EPCustomer struct {
	Email    string `yaml:"email"`
	Password string `yaml:"password"`
	Name     string `yaml:"name"`
}

// EPAccountMember is an account member who may obtain account tokens.
type EPAccountMember struct {
	PasswordProfileID string      `yaml:"password_profile_id"`
	Username          string      `yaml:"username"`
	Password          string      `yaml:"password"`
	Name              string      `yaml:"name"`
	Accounts          []EPAccount `yaml:"accounts"`
}

// EPAccount is an account an account member belongs to.
type EPAccount struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

// RFC6749Config configures the strict standards-only dialect.
type RFC6749Config struct {
	Clients    []RFCClient `yaml:"clients"`
	Users      []RFCUser   `yaml:"users"`
	Scopes     []string    `yaml:"scopes"`
	CodeTTL    Duration    `yaml:"code_ttl"`
	AccessTTL  Duration    `yaml:"access_ttl"`
	RefreshTTL Duration    `yaml:"refresh_ttl"`
	SigningKey string      `yaml:"signing_key"`
	// Issuer is the issuer identifier (RFC 8414 §2), an origin such as
	// https://auth.example.test: the metadata's issuer and endpoints' base and
	// the access tokens' iss claim. Empty: the origin each request reached, and
	// iss "oauthconf-reference".
	Issuer string `yaml:"issuer"`
	// RequirePKCE makes every authorization-code request need a
	// code_challenge, confidential clients' too (RFC 9700 §2.1.1, OAuth 2.1);
	// otherwise only public clients must use PKCE.
	RequirePKCE bool `yaml:"require_pkce"`
}

// RFCClient is a registered client (RFC 6749 §2). A client without a secret is
// public and must use PKCE.
type RFCClient struct {
	ClientID     string   `yaml:"client_id"`
	ClientSecret string   `yaml:"client_secret"`
	RedirectURIs []string `yaml:"redirect_uris"`
	Grants       []string `yaml:"grants"`
}

// RFCUser is a resource owner.
type RFCUser struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// Duration is a time.Duration written in Go syntax ("60s") in YAML.
type Duration struct{ time.Duration }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &valueError{line: n.Line, column: n.Column, problem: "want a duration such as 60s, not a list or mapping"}
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return &valueError{line: n.Line, column: n.Column, problem: fmt.Sprintf("%q is not a duration (use e.g. 60s, 10m, 2160h)", n.Value)}
	}
	if v <= 0 {
		return &valueError{line: n.Line, column: n.Column, problem: fmt.Sprintf("duration %q must be positive", n.Value)}
	}
	d.Duration = v
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// DemoConfig returns the built-in demo configuration (reference/demo.yaml).
func DemoConfig() Config {
	var c Config
	if err := decodeStrict(demoYAML, &c); err != nil {
		panic("reference: built-in demo.yaml is invalid: " + err.Error()) // caught by tests
	}
	return c
}

// DemoYAML returns the text of the built-in demo configuration.
func DemoYAML() []byte { return append([]byte(nil), demoYAML...) }

// LoadConfig reads a YAML file over the demo configuration: every key the file
// sets replaces the demo's value. Unknown keys, bad values, inconsistent
// settings and a second YAML document are errors naming the file, line and field.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	c, err := parseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty document (io.EOF) changes nothing.
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Validate checks that the configuration can serve every dialect. Each
// problem is a *FieldError naming the field's path (errors.Join of them all).
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, &FieldError{Field: field, Problem: fmt.Sprintf(format, a...)})
	}
	seen := map[string]bool{}
	for i, s := range c.Ucommerce.Stores {
		at := fmt.Sprintf("ucommerce.stores[%d]", i)
		if s.ClientID == "" || s.ClientSecret == "" {
			bad(at, "client_id and client_secret are required")
		}
		if seen[s.ClientID] {
			bad(at+".client_id", "%q is used twice", s.ClientID)
		}
		seen[s.ClientID] = true
		if len(s.RedirectURIs) == 0 {
			bad(at+".redirect_uris", "at least one whitelisted URL is required")
		}
	}
	for i, in := range c.Shopware.Integrations {
		if in.AccessKeyID == "" || in.SecretAccessKey == "" {
			bad(fmt.Sprintf("shopware.integrations[%d]", i), "access_key_id and secret_access_key are required")
		}
	}
	for i, u := range c.Shopware.Users {
		if u.Username == "" || u.Password == "" {
			bad(fmt.Sprintf("shopware.users[%d]", i), "username and password are required")
		}
	}
	for i, cl := range c.ElasticPath.Clients {
		if cl.ClientID == "" {
			bad(fmt.Sprintf("elasticpath.clients[%d].client_id", i), "required")
		}
	}
	for i, cl := range c.RFC6749.Clients {
		if cl.ClientID == "" {
			bad(fmt.Sprintf("rfc6749.clients[%d].client_id", i), "required")
		}
		for j, g := range cl.Grants {
			switch g {
			case "authorization_code", "refresh_token", "client_credentials", "password", "implicit":
			default:
				bad(fmt.Sprintf("rfc6749.clients[%d].grants[%d]", i, j), "unknown grant %q", g)
			}
		}
	}
	if iss := c.RFC6749.Issuer; iss != "" {
		if u, err := url.Parse(iss); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(iss, "/") {
			bad("rfc6749.issuer", "%q must be an origin (scheme://host[:port], no path, query, fragment or trailing slash; RFC 8414 §2)", iss)
		}
	}
	for _, k := range []struct{ field, key string }{
		{"ucommerce.signing_key", c.Ucommerce.SigningKey}, {"shopware.signing_key", c.Shopware.SigningKey},
		{"elasticpath.signing_key", c.ElasticPath.SigningKey}, {"rfc6749.signing_key", c.RFC6749.SigningKey},
	} {
		if len(k.key) < 16 {
			bad(k.field, "at least 16 characters are required")
		}
	}
	return errors.Join(errs...)
}
