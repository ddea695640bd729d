package steps

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// capability is a condition on the profile and its credentials that a step
// needs, with the reason to skip the scenario when it does not hold. arg is
// the step's first argument, "" for a step without one. The table is
// evaluated statically by List (verify --list) and, in a run, by outcome
// before the step it guards, so the two agree.
type capability struct {
	condition
	// guard marks a step defined in its own vocabulary, which does more than
	// check the condition: the entry only guards it and is not registered.
	guard bool
	// may, when set and not "", is why a scenario whose condition holds may
	// still turn out not applicable at run time (what the server answers).
	may func(t *target, arg string) string
}

// condition is a capability's step pattern, what it needs and its test.
type condition struct {
	pattern string
	needs   string // what the profile must document, for docs/profiles.md
	// has reports whether the profile meets the condition (nil: always).
	has func(t *target, arg string) bool
	why func(t *target, arg string) string
}

// capabilities are the suite's "the profile has / supports …" steps, then
// the guards of the steps that skip for what the profile lacks.
var capabilities = func() []capability {
	out := make([]capability, 0, len(capabilitySteps)+len(guards))
	for _, c := range capabilitySteps {
		out = append(out, capability{condition: c})
	}
	return append(out, guards...)
}()

// capabilitySteps are the "the profile has / supports …" steps.
var capabilitySteps = []condition{
	{`^the target supports the "([^"]*)" grant$`, "grants.<grant>, at a level other than off",
		grantUsable, whyGrantUnusable},
	{`^the target supports the "([^"]*)" grant at the token endpoint$`, "grants.<grant>, not off (implicit: not endpoint: authorize)",
		func(t *target, g string) bool {
			return grantUsable(t, g) && !(g == profile.GrantImplicit && implicitViaAuthorize(t.p))
		},
		func(t *target, g string) string {
			if !grantUsable(t, g) {
				return whyGrantUnusable(t, g)
			}
			return fmt.Sprintf("profile %s requests implicit tokens at the authorization endpoint", t.p.Name)
		}},
	{`^the profile says the code in Location is URL-encoded$`, "authorize.code_encoded: true",
		func(t *target, _ string) bool { return t.p.Authorize != nil && t.p.Authorize.CodeEncoded },
		profileSays("does not document a URL-encoded code (authorize.code_encoded)")},
	{`^the profile supports PKCE$`, "authorize.pkce: supported or required",
		func(t *target, _ string) bool { return t.p.Authorize != nil && t.p.Authorize.PKCE != "" },
		profileSays("does not document PKCE (authorize.pkce)")},
	{`^the profile requires PKCE of every client$`, "authorize.pkce: required",
		func(t *target, _ string) bool {
			return t.p.Authorize != nil && t.p.Authorize.PKCE == profile.PKCERequired
		},
		profileSays("does not say the server requires PKCE of every client (authorize.pkce: required)")},
	{`^a second client is configured$`, "credentials other_client_id and other_client_secret",
		func(t *target, _ string) bool { _, ok := otherClient(t.creds); return ok },
		func(*target, string) string { return "no second client: set other_client_id and other_client_secret" }},
	{`^a public client is configured$`, "credentials public_client_id and public_redirect_uri",
		func(t *target, _ string) bool { _, _, ok := publicClient(t.creds); return ok },
		func(*target, string) string { return "no public client: set public_client_id and public_redirect_uri" }},
	{`^the profile documents refresh token rotation$`, "grants.refresh_token.rotation: true",
		func(t *target, _ string) bool {
			g := t.p.Grants[profile.GrantRefreshToken]
			return g != nil && g.Rotation
		},
		profileSays("does not document refresh token rotation")},
	{`^the profile documents scopes$`, "credentials scope and wider_scope",
		func(t *target, _ string) bool { return t.creds.Has("scope", "wider_scope") },
		profileSays("documents no scope and wider_scope credentials")},
	{`^the profile says access tokens are JWTs$`, "token_format: jwt",
		func(t *target, _ string) bool { return t.p.TokenFormat == profile.TokenFormatJWT },
		profileSays("does not document JWT access tokens")},
	{`^the profile documents an identifier for the "([^"]*)" grant$`, "grants.<grant>.identifier",
		func(t *target, g string) bool { gr := t.p.Grants[g]; return gr != nil && gr.Identifier != "" },
		func(t *target, g string) string {
			return fmt.Sprintf("profile %s documents no identifier for the %s grant", t.p.Name, g)
		}},
	{`^the profile has an? "([^"]*)" resource$`, "resources.<name>",
		hasResource, whyNoResource},
	{`^the profile documents Bearer challenges on the "([^"]*)" resource$`, "resources.<name>.challenge: true",
		func(t *target, name string) bool { return hasResource(t, name) && t.p.Resources[name].Challenge },
		func(t *target, name string) string {
			if !hasResource(t, name) {
				return whyNoResource(t, name)
			}
			return fmt.Sprintf("profile %s does not document WWW-Authenticate challenges on %q", t.p.Name, name)
		}},
	{`^the profile authenticates clients with HTTP Basic$`, "token.client_auth: basic",
		func(t *target, _ string) bool { return t.p.Token.ClientAuth == profile.ClientAuthBasic },
		func(t *target, _ string) string {
			return fmt.Sprintf("profile %s authenticates clients with %q, not HTTP Basic", t.p.Name, t.p.Token.ClientAuth)
		}},
	{`^the profile has a client secret$`, "credentials client_id and client_secret",
		func(t *target, _ string) bool { return t.creds.Has("client_id", "client_secret") },
		profileSays("has no client_secret")},
	{`^the profile sends form-encoded token requests$`, "token.encoding: form",
		func(t *target, _ string) bool { return t.p.Token.Encoding == profile.EncodingForm },
		func(t *target, _ string) string {
			return fmt.Sprintf("profile %s sends %s token requests; only form bodies can repeat a parameter", t.p.Name, t.p.Token.Encoding)
		}},
	{`^the profile has a revocation endpoint$`, "revocation.path",
		func(t *target, _ string) bool { return t.p.Revocation != nil && t.p.Revocation.Path != "" },
		profileSays("has no revocation endpoint")},
	{`^the profile has an introspection endpoint$`, "introspection.path",
		func(t *target, _ string) bool { return t.p.Introspection != nil && t.p.Introspection.Path != "" },
		profileSays("has no introspection endpoint (introspection.path)")},
	{`^the profile says the client's one redirect URI may be omitted$`, "authorize.redirect_uri_optional: true",
		func(t *target, _ string) bool { return t.p.Authorize != nil && t.p.Authorize.RedirectURIOptional },
		profileSays("does not say the client has one registered redirect URI that may be omitted (authorize.redirect_uri_optional)")},
	{`^the profile has a login section$`, "authorize.login",
		func(t *target, _ string) bool { return t.p.Authorize != nil && t.p.Authorize.Login != nil },
		profileSays("has no authorize.login section: the sign-in and consent checks run only against a server whose pages the profile describes")},
}

// guards are the static preconditions of steps defined elsewhere: the
// grant a control step needs, the confidential client a fault needs, the
// metadata and JWK Set a scenario reads (RFC 8414 §2, RFC 7517 §5).
var guards = []capability{
	{condition: condition{
		pattern: `^the client can make the "([^"]*)" request with its own client authentication$`,
		needs:   "grants.<grant> (or revocation, introspection)",
		has: func(t *target, what string) bool {
			return what == requestRevocation || what == requestIntrospection || t.p.Supports(what)
		},
		why: func(t *target, g string) string {
			return fmt.Sprintf("profile %s does not support the %s grant", t.p.Name, g)
		},
	}, guard: true},
	{condition: condition{
		pattern: `^the client makes the "([^"]*)" request with (a wrong client secret|its client_id but no secret|no client authentication)$`,
		needs:   "credentials client_id and client_secret; client_auth other than none",
		has:     func(t *target, what string) bool { return confidentialReason(t, what) == "" },
		why:     confidentialReason,
	}, guard: true},
	{condition: condition{
		pattern: `^the target publishes authorization server metadata$`, needs: "metadata",
		has: hasMetadata, why: whyNoMetadata,
	}, guard: true, may: func(t *target, _ string) string {
		if t.p.Metadata != nil && t.p.Metadata.Optional {
			return "the target may publish no RFC 8414 metadata (metadata.optional)"
		}
		return ""
	}},
	{condition: condition{
		pattern: `^the metadata advertises a jwks_uri$`, needs: "metadata",
		has: hasMetadata, why: whyNoMetadata,
	}, guard: true, may: func(*target, string) string {
		return "the metadata may advertise no jwks_uri (RFC 8414 §2: OPTIONAL)"
	}},
	{condition: condition{
		pattern: `^the target publishes a JWK Set$`, needs: "token.jwks_uri or metadata",
		has: func(t *target, _ string) bool { return t.p.Token.JWKSURI != "" || t.p.Metadata != nil },
		why: profileSays("names no JWK Set (token.jwks_uri) and no metadata to discover one"),
	}, guard: true, may: func(t *target, _ string) string {
		if t.p.Token.JWKSURI == "" {
			return "the JWK Set is the metadata's jwks_uri, which the target may not advertise (RFC 8414 §2: OPTIONAL)"
		}
		return ""
	}},
	{condition: condition{pattern: `^the client exchanges the code still URL-encoded$`}, guard: true,
		may: mayCodeUnchanged("URL-encoding")},
	{condition: condition{pattern: `^the client exchanges the code decoded twice$`}, guard: true,
		may: mayCodeUnchanged("a second decoding")},
	{condition: condition{
		pattern: `^the client exchanges the code form-decoded$`, needs: "token.encoding: form",
		has: func(t *target, _ string) bool { return t.p.Token.Encoding == profile.EncodingForm },
		why: profileSays("does not send form bodies"),
	}, guard: true, may: mayCodeUnchanged("form decoding")},
	{condition: condition{pattern: `^the access token is a JWT$`}, guard: true, may: mayBeOpaque},
	{condition: condition{pattern: `^the client holds an access token that is a JWT$`}, guard: true, may: mayBeOpaque},
}

func hasMetadata(t *target, _ string) bool { return t.p.Metadata != nil }

func whyNoMetadata(t *target, _ string) string {
	return fmt.Sprintf("profile %s does not say the target publishes RFC 8414 metadata (metadata)", t.p.Name)
}

// mayBeOpaque: unless the profile says access tokens are JWTs, the token may
// be opaque (RFC 6749 §1.4) and the JWS checks then do not apply.
func mayBeOpaque(t *target, _ string) string {
	if t.p.TokenFormat == "jwt" {
		return ""
	}
	return "the access token may be opaque (token_format is not jwt): the JWS checks then do not apply"
}

// mayCodeUnchanged: the code the server issues may have no character that
// how changes, and then the check does not apply.
func mayCodeUnchanged(how string) func(*target, string) string {
	return func(*target, string) string {
		return "the issued code may have no characters that " + how + " changes"
	}
}

// capabilityRes are the compiled patterns of capabilities, index for index.
var capabilityRes = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(capabilities))
	for i, c := range capabilities {
		out[i] = regexp.MustCompile(c.pattern)
	}
	return out
}()

// guardReason is the reason to skip a scenario at the step text step: the
// reason of the first capability whose pattern matches it and whose
// condition does not hold ("" if none).
func guardReason(t *target, step string) string {
	for i, c := range capabilities {
		m := capabilityRes[i].FindStringSubmatch(step)
		if m == nil || c.has == nil {
			continue
		}
		arg := ""
		if len(m) > 1 {
			arg = m[1]
		}
		if !c.has(t, arg) {
			return c.why(t, arg)
		}
	}
	return ""
}

// mayNotApply is why a scenario whose step text is step may turn out not
// applicable at run time although the profile meets its conditions ("" if
// nothing says so).
func mayNotApply(t *target, step string) string {
	for i, c := range capabilities {
		m := capabilityRes[i].FindStringSubmatch(step)
		if m == nil || c.may == nil {
			continue
		}
		arg := ""
		if len(m) > 1 {
			arg = m[1]
		}
		if why := c.may(t, arg); why != "" {
			return why
		}
	}
	return ""
}

// profileSays returns a reason function: "profile <name> " + what.
func profileSays(what string) func(*target, string) string {
	return func(t *target, _ string) string { return "profile " + t.p.Name + " " + what }
}

// grantUsable reports whether the profile declares grant g at a level other than off.
func grantUsable(t *target, g string) bool {
	gr, ok := t.p.Grants[g]
	return ok && gr.Level != profile.LevelOff
}

func whyGrantUnusable(t *target, g string) string {
	if _, ok := t.p.Grants[g]; !ok {
		return fmt.Sprintf("profile %s does not support the %s grant", t.p.Name, g)
	}
	return fmt.Sprintf("profile %s switches the %s grant's checks off (level: off)", t.p.Name, g)
}

func hasResource(t *target, name string) bool { return t.p.Resources[name] != nil }

func whyNoResource(t *target, name string) string {
	return fmt.Sprintf("profile %s has no %q resource", t.p.Name, name)
}

// registerCapabilities adds the capability steps. Their bodies do nothing:
// outcome evaluates the table (guardReason) before every step, so a step
// whose condition does not hold has already skipped the scenario.
func registerCapabilities(sc stepper) {
	for i, c := range capabilities {
		switch {
		case c.guard:
		case capabilityRes[i].NumSubexp() == 0:
			sc.Step(c.pattern, wrap(func(context.Context) error { return nil }))
		default:
			sc.Step(c.pattern, wrap1(func(context.Context, string) error { return nil }))
		}
	}
}

// capabilityDocs lists the capability steps as "step — what the profile
// needs" lines, the list docs/profiles.md shows; a quoted argument shows as "…".
func capabilityDocs() []string {
	step := strings.NewReplacer("^", "", "$", "", `"([^"]*)"`, `"…"`, "an?", "a(n)")
	out := make([]string, 0, len(capabilities))
	for _, c := range capabilities {
		if c.guard {
			continue
		}
		out = append(out, fmt.Sprintf("`%s` — %s", step.Replace(c.pattern), c.needs))
	}
	return out
}
