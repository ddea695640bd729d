package steps

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// capability is a Given step that skips the scenario, with a reason, when the
// profile (or its credentials) lacks what the scenario needs. arg is the
// step's quoted argument, "" for a step without one.
type capability struct {
	pattern string
	needs   string // what the profile must document, for docs/profiles.md
	has     func(t *target, arg string) bool
	why     func(t *target, arg string) string
}

// capabilities are the suite's "the profile has / supports …" steps.
var capabilities = []capability{
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

// check is the step function of c: nil when the profile has what c needs,
// else a skip with c's reason.
func (c capability) check(ctx context.Context, arg string) error {
	s := fromCtx(ctx)
	if !c.has(s.t, arg) {
		return skipError{reason: c.why(s.t, arg)}
	}
	return nil
}

// checkAlone is the step function of a capability step without an argument.
func (c capability) checkAlone(ctx context.Context) error { return c.check(ctx, "") }

// registerCapabilities adds the capability steps.
func registerCapabilities(sc stepper) {
	for _, c := range capabilities {
		if regexp.MustCompile(c.pattern).NumSubexp() == 0 {
			sc.Step(c.pattern, wrap(c.checkAlone))
			continue
		}
		sc.Step(c.pattern, wrap1(c.check))
	}
}

// capabilityDocs lists the capability steps as "step — what the profile
// needs" lines, the list docs/profiles.md shows; a quoted argument shows as "…".
func capabilityDocs() []string {
	step := strings.NewReplacer("^", "", "$", "", `"([^"]*)"`, `"…"`, "an?", "a(n)")
	out := make([]string, 0, len(capabilities))
	for _, c := range capabilities {
		out = append(out, fmt.Sprintf("`%s` — %s", step.Replace(c.pattern), c.needs))
	}
	return out
}
