package profile

import "fmt"

// TokenField is one field of a successful token response (RFC 6749 §5.1)
// or of an implicit-grant fragment (§4.2.2) as it was decoded: whether it
// is there, whether it is a string, its value if so, and otherwise its JSON
// type ("number", "boolean", "null", "object", "array"). verify (steps) and
// load fill it from their own decoders and judge it with the same rule.
type TokenField struct {
	Present  bool
	IsString bool
	Value    string
	JSONType string
}

// StringField is a field that is there with the string value v (fragment
// values are always strings).
func StringField(v string) TokenField { return TokenField{Present: true, IsString: true, Value: v} }

// AccessTokenProblem says why access_token makes a response no valid token
// response: RFC 6749 §5.1 makes it REQUIRED, a string. "" when it is valid.
func AccessTokenProblem(f TokenField) string {
	switch {
	case !f.Present || (f.IsString && f.Value == ""):
		return "no access_token string (RFC 6749 §5.1)"
	case !f.IsString:
		return fmt.Sprintf("access_token is a JSON %s, not a string (RFC 6749 §5.1)", f.JSONType)
	}
	return ""
}

// TokenTypeProblem says why token_type makes a response no valid token
// response for p: RFC 6749 §5.1 makes it REQUIRED (a non-empty string), and
// where the profile documents a literal (TokenType) it must be exactly that.
// "" when it is valid. Without a documented literal any non-empty string
// passes this rule (verify's token_type scenario checks Bearer on top, RFC
// 6750 §4).
func (p *Profile) TokenTypeProblem(f TokenField) string {
	switch {
	case !f.Present || (f.IsString && f.Value == ""):
		return "no token_type string (RFC 6749 §5.1: REQUIRED)"
	case !f.IsString:
		return fmt.Sprintf("token_type is a JSON %s, not a string (RFC 6749 §5.1)", f.JSONType)
	case p.TokenType != "" && f.Value != p.TokenType:
		return fmt.Sprintf("token_type is %q, want the documented literal %q", f.Value, p.TokenType)
	}
	return ""
}

// TokenResponseProblem is the one validity rule of a successful token
// response shared by verify and load: access_token (AccessTokenProblem),
// then token_type (TokenTypeProblem). "" when the response is valid.
func (p *Profile) TokenResponseProblem(accessToken, tokenType TokenField) string {
	if s := AccessTokenProblem(accessToken); s != "" {
		return s
	}
	return p.TokenTypeProblem(tokenType)
}

// ImplicitViaAuthorize reports whether p's implicit grant is the RFC 6749
// §4.2 redirect (GET the authorization endpoint with response_type=token,
// the token in the redirect's fragment) rather than a token-endpoint grant.
func (p *Profile) ImplicitViaAuthorize() bool {
	g := p.Grants[GrantImplicit]
	return g != nil && g.Endpoint == "authorize"
}
