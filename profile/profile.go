// Package profile describes an OAuth 2.0 target as data: where its endpoints are,
// how it wants token requests encoded and clients authenticated, which grants it
// supports and what its responses look like. Profiles are YAML documents; four are
// built in (ucommerce, shopware, elasticpath, rfc6749) and users may write their own.
//
// The package is shared by the client-side layers (steps and load). The reference
// server never imports it: it speaks the same dialects from its own code, so that a
// bug in one side is caught by the other.
package profile

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/oauthconf/oauthconf/internal/outputs"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Grant type names as they appear on the wire (RFC 6749 §4) plus the vendor
// extensions the built-in profiles use.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
	GrantImplicit          = "implicit"
)

// Body encodings of token requests.
const (
	EncodingForm = "form" // application/x-www-form-urlencoded (RFC 6749 §4.1.3)
	EncodingJSON = "json" // application/json (Shopware, Ucommerce v9)
)

// Client authentication methods (RFC 6749 §2.3.1).
const (
	ClientAuthBasic = "basic" // Authorization: Basic base64(id:secret)
	ClientAuthBody  = "body"  // client_id and client_secret in the request body
	ClientAuthNone  = "none"  // public client: client_id only, or nothing
)

// Levels for a check: a failing MUST fails the run; a SHOULD is a warning unless
// --strict; a MAY (an optional feature, RFC 2119 §5) is reported as "optional
// feature absent or deviating" and never fails the run, even with --strict;
// off skips the check with a reason.
const (
	LevelMust   = outputs.LevelMust
	LevelShould = outputs.LevelShould
	LevelMay    = outputs.LevelMay
	LevelOff    = "off"
)

// Profile is one target description. Every field is documented in
// docs/profiles.md; the YAML keys are the snake_case names below.
type Profile struct {
	Name        string `yaml:"name"`
	Title       string `yaml:"title"`
	Description string `yaml:"description"`

	Token      TokenEndpoint      `yaml:"token"`
	Authorize  *AuthorizeEndpoint `yaml:"authorize"`
	Revocation *Endpoint          `yaml:"revocation"`
	// Introspection is an RFC 7662 endpoint; the main client authenticates
	// to it as the token endpoint's client_auth says.
	Introspection *Endpoint `yaml:"introspection"`

	// TokenType is the exact token_type literal the target documents ("bearer",
	// "Bearer"). RFC 6749 §5.1 makes the value case-insensitive; vendors that
	// document a literal are held to it.
	TokenType string `yaml:"token_type"`
	// TokenFormat is TokenFormatJWT, TokenFormatOpaque or "" (not declared: no claim is checked).
	TokenFormat string   `yaml:"token_format"`
	JWT         *JWTSpec `yaml:"jwt"`

	Errors  ErrorSpec  `yaml:"errors"`
	Headers HeaderSpec `yaml:"headers"`

	// Grants maps a grant type to what the profile expects of it. A grant that is
	// absent is unsupported: its scenarios are skipped with that reason.
	Grants map[string]*Grant `yaml:"grants"`

	// Resources names the protected resources used to check bearer usage.
	Resources map[string]*Resource `yaml:"resources"`

	// Credentials declares the named secrets and settings the profile's requests
	// use (client_id, client_secret, username, ...). Values come from --credential
	// flags, a credentials file or OAUTHCONF_<NAME> environment variables.
	Credentials map[string]*CredentialSpec `yaml:"credentials"`

	// Requirements overrides the level of a requirement tag
	// (e.g. "rfc6749-5.1-no-store": should).
	Requirements map[string]string `yaml:"requirements"`

	// UserTokens are the user tokens the target issues beside access tokens
	// (Elastic Path customer and account-member tokens; profile/usertokens.go).
	UserTokens UserTokens `yaml:"user_tokens"`

	// Metadata, when set, says the target publishes RFC 8414 authorization
	// server metadata: metadata.feature checks it, and its jwks_uri is used
	// when token.jwks_uri is empty (profile/metadata.go).
	Metadata *MetadataSpec `yaml:"metadata"`

	source string     // file name or "builtin:<name>", for error messages
	doc    *yaml.Node // the parsed YAML, for the lines of validation errors
}

// Endpoint is a path on the target, relative to its base URL, or an absolute
// http(s) URL on another origin.
type Endpoint struct {
	Path string `yaml:"path"`
	// TokenGrant (introspection only) names the grant whose access token the
	// introspection checks use (default: the first of client_credentials,
	// password, authorization_code, implicit the profile supports).
	TokenGrant string `yaml:"token_grant"`
}

// TokenEndpoint describes the token endpoint (RFC 6749 §3.2).
type TokenEndpoint struct {
	Path       string `yaml:"path"`
	Encoding   string `yaml:"encoding"`    // form | json
	ClientAuth string `yaml:"client_auth"` // basic | body | none

	// JWKSURI is the JWK Set (RFC 7517) that signs JWT access tokens; their
	// signatures are verified with it. Empty: the metadata's jwks_uri, if any.
	JWKSURI string `yaml:"jwks_uri"`
}

// AuthorizeEndpoint describes the authorization endpoint (RFC 6749 §3.1).
type AuthorizeEndpoint struct {
	Path string `yaml:"path"`
	// CodeTTL is the documented code lifetime (Ucommerce: 1 minute).
	CodeTTL Duration `yaml:"code_ttl"`
	// CodeEncoded says the code in Location must be URL-decoded once before use
	// (Ucommerce).
	CodeEncoded bool `yaml:"code_encoded"`
	// PKCE is PKCERequired, PKCESupported or "" (not supported).
	PKCE string `yaml:"pkce"`
	// Params are extra query parameters to send (values may use ${credential}).
	Params map[string]string `yaml:"params"`
	// RedirectURIOptional says the client (client_id) has exactly one
	// registered redirect URI (redirect_uri), so that an authorization
	// request may leave redirect_uri out (RFC 6749 §3.1.2.3, §4.1.1).
	RedirectURIOptional bool `yaml:"redirect_uri_optional"`
	// Login says how the suite gets through the sign-in and consent pages in
	// front of the endpoint (RFC 6749 §4.1 (B), §3.1); nil is the HTTP user
	// agent with its defaults. Its presence also enables login.feature.
	Login *Login `yaml:"login"`

	// PKCEClient is the client pkce.feature uses: PKCEClientPublic or
	// PKCEClientConfidential; empty: the public client when one is
	// configured, else the confidential one.
	PKCEClient string `yaml:"pkce_client"`
}

// JWTSpec describes JWT access and refresh tokens.
type JWTSpec struct {
	// Alg is the expected signing algorithm (HS256, RS256, ...).
	Alg string `yaml:"alg"`
	// KeyCredential names the credential holding the HMAC key; when it has a
	// value the signature is verified, otherwise only the claims are decoded.
	KeyCredential string `yaml:"key_credential"`
	// Claims that must be present in access tokens, with an expected value
	// where one is given ("" means any value).
	Claims map[string]string `yaml:"claims"`
	// RefreshClaims, likewise for refresh tokens that are JWTs.
	RefreshClaims map[string]string `yaml:"refresh_claims"`
}

// Token formats (Profile.TokenFormat): a JWT access token (RFC 9068) whose
// claims the suite checks, or an opaque one.
const (
	TokenFormatJWT    = "jwt"
	TokenFormatOpaque = "opaque"
)

// ErrorFormat names the envelope of a target's error bodies.
type ErrorFormat string

// The error formats the suite reads (steps has one parser and checker per
// format, in steps/errors_<format>.go).
const (
	// ErrorFormatRFC6749 is RFC 6749 §5.2: {"error":...,"error_description":...}.
	ErrorFormatRFC6749 ErrorFormat = "rfc6749"
	// ErrorFormatUcommerce is {"errors":[{"error","error-description"}]}.
	ErrorFormatUcommerce ErrorFormat = "ucommerce"
	// ErrorFormatShopware is {"errors":[{"code","status","title","detail"}]}.
	ErrorFormatShopware ErrorFormat = "shopware"
	// ErrorFormatElasticPath is {"errors":[{"title","status"}]}: no error code.
	ErrorFormatElasticPath ErrorFormat = "elasticpath"
)

// ErrorFormats lists the known error formats.
func ErrorFormats() []ErrorFormat {
	return []ErrorFormat{ErrorFormatRFC6749, ErrorFormatUcommerce, ErrorFormatShopware, ErrorFormatElasticPath}
}

// ErrorSpec describes the target's error responses.
type ErrorSpec struct {
	// Format is the envelope of error bodies (ErrorFormats; default rfc6749).
	Format ErrorFormat `yaml:"format"`
	// Status maps an RFC 6749 §5.2 error code to the HTTP statuses the target
	// may answer it with, e.g. invalid_grant: [400].
	Status map[string][]int `yaml:"status"`
	// Codes maps an RFC 6749 error code to the vendor's own code, where the
	// format has one (Shopware: invalid_client → "4").
	Codes map[string]string `yaml:"codes"`
	// Titles maps an HTTP status to the error title the vendor documents for
	// it, for formats with a title and no code (Elastic Path: 400 → "Bad
	// Request").
	Titles map[int]string `yaml:"titles"`
}

// HeaderSpec says which header rules apply.
type HeaderSpec struct {
	// NoStore is the level of RFC 6749 §5.1's Cache-Control: no-store and
	// Pragma: no-cache on token responses.
	NoStore string `yaml:"no_store"`
	// Pragma, when false, leaves Pragma: no-cache out of that check (RFC 6749
	// §5.1 asks for both; OAuth 2.1 and RFC 9111 treat Pragma as obsolete).
	// Nil means true.
	Pragma *bool `yaml:"pragma"`
}

// Authorization endpoint PKCE support (RFC 7636).
const (
	// PKCERequired: every authorization-code request, confidential clients'
	// too, must carry a code_challenge (RFC 9700 §2.1.1, OAuth 2.1).
	PKCERequired = "required"
	// PKCESupported: code challenges are honoured; public clients must use them.
	PKCESupported = "supported"
)

// ResourceNames are the protected resources the features call by name:
// "protected" for bearer usage, and Elastic Path's "catalog_write" (refused to
// implicit tokens) and "orders" (readable with a customer or account token).
func ResourceNames() []string { return []string{"protected", "catalog_write", "orders"} }

// CheckPragma reports whether the no-store check includes Pragma: no-cache.
func (h HeaderSpec) CheckPragma() bool { return h.Pragma == nil || *h.Pragma }

// Grant is what a profile expects of one grant type.
type Grant struct {
	// Params are the body parameters sent besides grant_type; values may use
	// ${credential} references. Client credentials are added per Token.ClientAuth.
	Params map[string]string `yaml:"params"`
	// ClientAuth overrides Token.ClientAuth for this grant ("none" for implicit).
	ClientAuth string `yaml:"client_auth"`
	// ExpiresIn is the documented access token lifetime in seconds.
	ExpiresIn int `yaml:"expires_in"`
	// RefreshToken is "required", "forbidden" or "optional".
	RefreshToken string `yaml:"refresh_token"`
	// Rotation (refresh_token grant): the used refresh token stops working.
	Rotation bool `yaml:"rotation"`
	// Fields are extra response fields and their JSON types
	// (string, number, integer, boolean, null, string|null, ...).
	Fields map[string]string `yaml:"fields"`
	// Identifier is Elastic Path's expected "identifier" value.
	Identifier string `yaml:"identifier"`
	// Level overrides the level of this grant's checks (must/should/off).
	Level string `yaml:"level"`
	// Endpoint is where the grant is requested: "token" (default: a POST to the
	// token endpoint with grant_type) or "authorize" (implicit only: RFC 6749
	// §4.2, response_type=token, the token in the redirect's fragment).
	Endpoint string `yaml:"endpoint"`
}

// Resource is a protected resource used to check bearer usage (RFC 6750).
type Resource struct {
	Method string `yaml:"method"`
	Path   string `yaml:"path"`
	// Body is sent as JSON when set.
	Body string `yaml:"body"`
	// Headers are extra headers (values may use ${credential} or ${token.NAME}).
	Headers map[string]string `yaml:"headers"`
	// OK is the status of a permitted request (default 200).
	OK int `yaml:"ok"`
	// Challenge says 401 answers carry WWW-Authenticate: Bearer (RFC 6750 §3).
	Challenge bool `yaml:"challenge"`
	// TokenGrant names the grant whose access token is sent to this resource
	// (default: as Endpoint.TokenGrant).
	TokenGrant string `yaml:"token_grant"`
}

// CredentialSpec declares one named credential.
type CredentialSpec struct {
	Description string `yaml:"description"`
	// Secret values are redacted from all output and reports.
	Secret bool `yaml:"secret"`
	// Optional credentials may be left unset; checks needing them are skipped.
	Optional bool `yaml:"optional"`
	// Default is used when no other source gives a value (not for secrets).
	Default string `yaml:"default"`
}

// Duration is a time.Duration that reads Go duration strings ("60s") in YAML.
type Duration struct{ time.Duration }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (use e.g. 60s, 10m)", n.Line, n.Value)
	}
	d.Duration = v
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// Source says where the profile was loaded from.
func (p *Profile) Source() string { return p.source }

// Supports reports whether the profile declares grant g.
func (p *Profile) Supports(g string) bool { _, ok := p.Grants[g]; return ok }

// ClientAuthFor returns the client authentication method used for grant g.
func (p *Profile) ClientAuthFor(g string) string {
	if gr, ok := p.Grants[g]; ok && gr.ClientAuth != "" {
		return gr.ClientAuth
	}
	return p.Token.ClientAuth
}

// Builtin lists the names of the built-in profiles, sorted.
func Builtin() []string {
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// ErrUnknownProfile is returned by Load for a name that is neither a built-in
// profile nor a readable file.
var ErrUnknownProfile = errors.New("unknown profile")

// Load returns the built-in profile called nameOrPath, or parses the YAML file at
// that path. Errors name the file, line and field at fault.
func Load(nameOrPath string) (*Profile, error) {
	if data, err := builtinFS.ReadFile(path.Join("builtin", nameOrPath+".yaml")); err == nil {
		return Parse(data, "builtin:"+nameOrPath)
	}
	data, err := os.ReadFile(nameOrPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w %q: not a built-in profile (%s) and no such file",
				ErrUnknownProfile, nameOrPath, strings.Join(Builtin(), ", "))
		}
		return nil, fmt.Errorf("profile %q: %w", nameOrPath, err)
	}
	return Parse(data, nameOrPath)
}

// Parse decodes one profile document. Unknown keys are errors (so typos are not
// silently ignored), as are missing or invalid required fields.
func Parse(data []byte, source string) (*Profile, error) {
	var p Profile
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) == nil {
		p.doc = &doc
	}
	if err := p.checkRemovedKeys(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", source, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("profile %s: the file is empty (a profile needs at least name, token and grants; see docs/profiles.md)", source)
		}
		return nil, fmt.Errorf("profile %s: %w", source, err)
	}
	p.source = source
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", source, err)
	}
	return &p, nil
}

// problems collects every validation error of a profile (all are reported,
// not only the first).
type problems []error

func (e *problems) bad(format string, a ...any) { *e = append(*e, fmt.Errorf(format, a...)) }

func (e *problems) checkAuth(field, v string) {
	switch v {
	case ClientAuthBasic, ClientAuthBody, ClientAuthNone:
	default:
		e.bad("%s: %q is not basic, body or none", field, v)
	}
}

func (e *problems) checkLevel(field, v string) {
	switch v {
	case "", LevelMust, LevelShould, LevelMay, LevelOff:
	default:
		e.bad("%s: %q is not must, should, may or off", field, v)
	}
}

// validate checks p and fills in its defaults.
func (p *Profile) validate() error {
	var e problems
	if p.Name == "" {
		e.bad("name: required")
	}
	p.validateEndpoints(&e)
	p.validateFormats(&e)
	e.checkLevel("headers.no_store", p.Headers.NoStore)
	if len(p.Grants) == 0 {
		e.bad("grants: at least one grant is required")
	}
	for name := range p.Grants {
		p.validateGrant(&e, name)
	}
	if p.Supports(GrantAuthorizationCode) && (p.Authorize == nil || p.Authorize.Path == "") {
		e.bad("authorize.path: required when grants has authorization_code")
	}
	p.validateResources(&e)
	p.validateUserTokens(&e)
	if p.Authorize != nil {
		p.validateLogin(&e)
	}
	p.validateDiscovery(&e)
	for tag, lvl := range p.Requirements {
		e.checkLevel("requirements."+tag, lvl)
	}
	p.validateErrorSpec(&e)
	p.validateContradictions(&e)
	return errors.Join(e...)
}

// validateEndpoints checks the token, authorize, revocation and
// introspection endpoints.
func (p *Profile) validateEndpoints(e *problems) {
	if p.Token.Path == "" {
		e.bad("token.path: required, and must start with / (or be an absolute http:// or https:// URL)")
	}
	if p.Authorize != nil {
		switch p.Authorize.PKCE {
		case "", PKCERequired, PKCESupported:
		default:
			e.bad("authorize.pkce: %q is not required or supported", p.Authorize.PKCE)
		}
	}
	switch p.Token.Encoding {
	case EncodingForm, EncodingJSON:
	case "":
		p.Token.Encoding = EncodingForm
	default:
		e.bad("token.encoding: %q is not form or json", p.Token.Encoding)
	}
	if p.Token.ClientAuth == "" {
		p.Token.ClientAuth = ClientAuthBasic
	}
	e.checkAuth("token.client_auth", p.Token.ClientAuth)
}

// validateFormats checks the token format and the error format and codes.
func (p *Profile) validateFormats(e *problems) {
	for code, v := range p.Errors.Codes {
		for _, c := range strings.Split(v, ",") {
			if strings.TrimSpace(c) == "" {
				e.bad("errors.codes.%s: %q has an empty code (an empty entry would accept a body without one)", code, v)
				break
			}
		}
	}
	switch p.TokenFormat {
	case "", TokenFormatJWT, TokenFormatOpaque:
	default:
		e.bad("token_format: %q is not jwt or opaque", p.TokenFormat)
	}
	if p.Errors.Format == "" {
		p.Errors.Format = ErrorFormatRFC6749
	}
	if !slices.Contains(ErrorFormats(), p.Errors.Format) {
		e.bad("errors.format: %q is not rfc6749, ucommerce, shopware or elasticpath", p.Errors.Format)
	}
}

// validateGrant checks grants.<name> (an empty entry becomes an empty Grant).
func (p *Profile) validateGrant(e *problems, name string) {
	g := p.Grants[name]
	if g == nil {
		g = &Grant{}
		p.Grants[name] = g
	}
	switch name {
	case GrantAuthorizationCode, GrantClientCredentials, GrantPassword, GrantRefreshToken, GrantImplicit:
	default:
		e.bad("grants.%s: unknown grant (known: authorization_code, client_credentials, password, refresh_token, implicit)", name)
	}
	if g.ClientAuth != "" {
		e.checkAuth("grants."+name+".client_auth", g.ClientAuth)
	}
	switch g.RefreshToken {
	case "", "required", "forbidden", "optional":
	default:
		e.bad("grants.%s.refresh_token: %q is not required, forbidden or optional", name, g.RefreshToken)
	}
	e.checkLevel("grants."+name+".level", g.Level)
	switch g.Endpoint {
	case "", "token":
	case "authorize":
		if name != GrantImplicit {
			e.bad("grants.%s.endpoint: only the implicit grant can use the authorize endpoint", name)
		} else if p.Authorize == nil || p.Authorize.Path == "" {
			e.bad("grants.%s.endpoint: authorize needs authorize.path", name)
		}
	default:
		e.bad("grants.%s.endpoint: %q is not token or authorize", name, g.Endpoint)
	}
	for _, ref := range refs(g.Params) {
		if _, ok := p.Credentials[ref]; !ok {
			e.bad("grants.%s.params: ${%s} names no credential declared under credentials", name, ref)
		}
	}
}

// validateResources checks the protected resources and fills in their
// default method (GET) and success status (200).
func (p *Profile) validateResources(e *problems) {
	for name, r := range p.Resources {
		if !slices.Contains(ResourceNames(), name) {
			e.bad("resources.%s: not a resource the suite uses (%s)", name, strings.Join(ResourceNames(), ", "))
			continue
		}
		if r == nil || r.Path == "" {
			e.bad("resources.%s.path: required", name)
			continue
		}
		if r.Method == "" {
			r.Method = "GET"
		}
		if r.OK == 0 {
			r.OK = 200
		}
	}
}

// refs returns the ${name} references in the values of m (not ${token.X}).
func refs(m map[string]string) []string {
	var out []string
	for _, v := range m {
		for {
			i := strings.Index(v, "${")
			if i < 0 {
				break
			}
			j := strings.Index(v[i:], "}")
			if j < 0 {
				break
			}
			name := v[i+2 : i+j]
			if !strings.HasPrefix(name, "token.") {
				out = append(out, name)
			}
			v = v[i+j+1:]
		}
	}
	return out
}
