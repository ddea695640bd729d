package profile

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// knownErrorCodes lists the error codes a profile may name in errors.status
// and errors.codes, with where each is defined, for messages.
const knownErrorCodes = "RFC 6749 §5.2: invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope; " +
	"§4.1.2.1: access_denied, unsupported_response_type; RFC 6750 §3.1: invalid_token, insufficient_scope; RFC 7009 §2.2.1: unsupported_token_type"

// errorCodeProblem says what is wrong with an error code used as a key of
// errors.status or errors.codes, or "" when it is an RFC refusal code.
func errorCodeProblem(code string) string {
	switch code {
	case "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope", // RFC 6749 §5.2
		"access_denied", "unsupported_response_type", // RFC 6749 §4.1.2.1
		"invalid_token", "insufficient_scope", // RFC 6750 §3.1
		"unsupported_token_type": // RFC 7009 §2.2.1
		return ""
	case "server_error", "temporarily_unavailable":
		return "is the server's own failure (RFC 6749 §4.1.2.1), never a refusal the suite expects"
	}
	return "is not an RFC error code (" + knownErrorCodes + ")"
}

// statusProblem says what is wrong with an HTTP status documented for a
// refusal, or "" for a 4xx.
func statusProblem(st int) string {
	switch {
	case st >= 400 && st <= 499:
		return ""
	case st >= 500 && st <= 599:
		return fmt.Sprintf("%d is a server error: a 5xx is never a correct refusal (the suite fails a 5xx wherever it expects one, so this status could never be met)", st)
	}
	return fmt.Sprintf("%d is not a 4xx status: a refusal is answered 4xx (RFC 6749 §5.2: 400, or 401 for invalid_client)", st)
}

// keyNode returns the key and value nodes at path in the profile's YAML
// (nil when a key is absent or the tree is not a mapping there).
func (p *Profile) keyNode(path ...string) (key, val *yaml.Node) {
	n := p.doc
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range path {
		if n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil || n.Kind != yaml.MappingNode {
			return nil, nil
		}
		key, val = nil, nil
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				key, val = n.Content[i], n.Content[i+1]
				break
			}
		}
		if key == nil {
			return nil, nil
		}
		n = val
	}
	return key, val
}

// line returns the line of the deepest key of path present in the
// profile's YAML, 0 when none is.
func (p *Profile) line(path ...string) int {
	for i := len(path); i > 0; i-- {
		if k, _ := p.keyNode(path[:i]...); k != nil {
			return k.Line
		}
	}
	return 0
}

// badAt records a problem of field (dotted, as the YAML nests it) at the
// line of its deepest key present in the YAML.
func (e *problems) badAt(p *Profile, field, format string, a ...any) {
	msg := field + ": " + fmt.Sprintf(format, a...)
	if l := p.line(strings.Split(field, ".")...); l > 0 {
		msg = fmt.Sprintf("line %d: %s", l, msg)
	}
	*e = append(*e, fmt.Errorf("%s", msg))
}

// validateErrorSpec checks errors.status, errors.codes and errors.titles:
// RFC error codes as keys, 4xx statuses only, and no setting the format
// ignores.
func (p *Profile) validateErrorSpec(e *problems) {
	for _, code := range slices.Sorted(maps.Keys(p.Errors.Status)) {
		field := "errors.status." + code
		if pr := errorCodeProblem(code); pr != "" {
			e.badAt(p, field, "%q %s", code, pr)
		}
		if len(p.Errors.Status[code]) == 0 {
			e.badAt(p, field, "an empty list allows no status (leave %s out for the RFC's default)", code)
		}
		for _, st := range p.Errors.Status[code] {
			if pr := statusProblem(st); pr != "" {
				e.badAt(p, field, "%s", pr)
			}
		}
	}
	for _, code := range slices.Sorted(maps.Keys(p.Errors.Codes)) {
		if pr := errorCodeProblem(code); pr != "" {
			e.badAt(p, "errors.codes."+code, "%q %s", code, pr)
		}
	}
	if len(p.Errors.Codes) > 0 && p.Errors.Format == ErrorFormatElasticPath {
		e.badAt(p, "errors.codes", "the %s format has no error code in its bodies, so these would be ignored (use errors.titles)", ErrorFormatElasticPath)
	}
	for _, st := range slices.Sorted(maps.Keys(p.Errors.Titles)) {
		if pr := statusProblem(st); pr != "" {
			e.badAt(p, "errors.titles."+strconv.Itoa(st), "%s", pr)
		}
	}
	if len(p.Errors.Titles) > 0 && p.Errors.Format != ErrorFormatElasticPath {
		e.badAt(p, "errors.titles", "only the %s format is checked by title; with format %s these would be ignored", ErrorFormatElasticPath, p.Errors.Format)
	}
}

// validateContradictions checks settings that another setting makes
// meaningless or impossible to honour.
func (p *Profile) validateContradictions(e *problems) {
	for _, name := range slices.Sorted(maps.Keys(p.Grants)) {
		if g := p.Grants[name]; g != nil && g.Rotation && name != GrantRefreshToken {
			e.badAt(p, "grants."+name+".rotation", "rotation is a property of the refresh_token grant (grants.refresh_token.rotation)")
		}
	}
	if p.Supports(GrantRefreshToken) && !p.issuesRefresh() {
		e.badAt(p, "grants.refresh_token", "no grant issues refresh tokens to refresh with: declare password or authorization_code without refresh_token: forbidden")
	}
	if _, ok := p.Credentials["client_secret"]; !ok {
		for _, field := range p.secretSenders() {
			e.badAt(p, field, "%s sends the client secret, but credentials declares no client_secret (RFC 6749 §2.3.1)", p.clientAuthAt(field))
		}
	}
	if a := p.Authorize; a != nil && a.PKCE != "" && !p.Supports(GrantAuthorizationCode) {
		e.badAt(p, "authorize.pkce", "%s, but grants has no authorization_code (PKCE protects code requests, RFC 7636 §4.3)", a.PKCE)
	}
	if p.JWT != nil && p.TokenFormat != TokenFormatJWT {
		e.badAt(p, "jwt", "set, but token_format is not jwt, so no claim would be checked")
	}
	if p.JWT != nil && p.JWT.KeyCredential != "" {
		if _, ok := p.Credentials[p.JWT.KeyCredential]; !ok {
			e.badAt(p, "jwt.key_credential", "%q names no credential declared under credentials", p.JWT.KeyCredential)
		}
	}
	if p.JWT != nil {
		for field, m := range map[string]map[string]string{"jwt.claims": p.JWT.Claims, "jwt.refresh_claims": p.JWT.RefreshClaims} {
			for _, ref := range refs(m) {
				if _, ok := p.Credentials[ref]; !ok {
					e.badAt(p, field, "${%s} names no credential declared under credentials", ref)
				}
			}
		}
	}
}

// issuesRefresh reports whether a grant the suite obtains refresh tokens
// with (password, authorization_code) may issue one.
func (p *Profile) issuesRefresh() bool {
	for _, g := range []string{GrantPassword, GrantAuthorizationCode} {
		if gr, ok := p.Grants[g]; ok && (gr == nil || gr.RefreshToken != "forbidden") {
			return true
		}
	}
	return false
}

// secretSenders returns the fields whose client authentication sends the
// client secret (basic or body) for a grant requested at the token endpoint:
// grants.<g>.client_auth where a grant sets it, else token.client_auth.
func (p *Profile) secretSenders() []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(p.Grants)) {
		g := p.Grants[name]
		if g != nil && g.Endpoint == "authorize" {
			continue
		}
		if auth := p.ClientAuthFor(name); auth != ClientAuthBasic && auth != ClientAuthBody {
			continue
		}
		field := "token.client_auth"
		if g != nil && g.ClientAuth != "" {
			field = "grants." + name + ".client_auth"
		}
		if !slices.Contains(out, field) {
			out = append(out, field)
		}
	}
	return out
}

// clientAuthAt returns the client_auth value of field (from secretSenders).
func (p *Profile) clientAuthAt(field string) string {
	if g, ok := strings.CutPrefix(field, "grants."); ok {
		return p.ClientAuthFor(strings.TrimSuffix(g, ".client_auth"))
	}
	return p.Token.ClientAuth
}
