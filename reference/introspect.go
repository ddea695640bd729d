package reference

import (
	"net/http"
)

// introspection is an RFC 7662 answer. Only Active is set for a token that is
// not active (§2.2: no other information about it).
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Jti       string `json:"jti,omitempty"`
}

// introspect is the RFC 7662 introspection endpoint of the RFC 6749 dialect.
// The caller authenticates as a confidential client (§2.1: the endpoint MUST
// require authorization, which a public client's id is not; §2.3: bad
// credentials get 401); any confidential client may ask
// about any token, as a resource server would. A live access token (signature,
// expiry, revocation) or refresh token (unexpired, unused, family not revoked)
// is active; everything else is {"active":false} and nothing more (§2.2).
func (d *rfc6749) introspect(w http.ResponseWriter, r *http.Request) {
	tr, cl, tok, ok := d.tokenQuery(w, r, !d.s.has(IntrospectionOpen), d.introspectionAuthError)
	if !ok {
		return
	}
	if cl != nil && cl.public && !d.s.has(IntrospectionPublicClient) {
		// A public client proves nothing by its id: no authorization (§2.1).
		d.introspectionAuthError(w, tr, errInvalidClient("public clients may not introspect tokens"))
		return
	}
	ans := d.refreshIntrospection(tok)
	if ans == nil {
		ans = d.accessIntrospection(tok)
	}
	if ans == nil && d.s.has(IntrospectionAlwaysActive) {
		ans = &introspection{Active: true, TokenType: "Bearer"}
	}
	d.s.setNoStore(w)
	switch {
	case ans != nil && d.s.has(IntrospectionActiveString):
		writeJSON(w, http.StatusOK, map[string]string{"active": "true", "client_id": ans.ClientID})
	case ans != nil:
		writeJSON(w, http.StatusOK, ans)
	case d.s.has(IntrospectionInactiveDetails):
		writeJSON(w, http.StatusOK, map[string]any{"active": false, "error": "token is unknown, expired or revoked", "token": tok[:min(len(tok), 8)]})
	default:
		writeJSON(w, http.StatusOK, introspection{Active: false})
	}
}

// introspectionAuthError answers a failed client authentication with 401
// whatever the means of authentication (RFC 7662 §2.3), where the token
// endpoint answers 400 to a request without an Authorization header.
func (d *rfc6749) introspectionAuthError(w http.ResponseWriter, tr *tokenRequest, e *oauthError) {
	if e.code != "invalid_client" || tr.hasAuthHeader {
		d.writeError(w, tr, e)
		return
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="oauthconf"`)
	d.s.setNoStore(w)
	writeJSON(w, http.StatusUnauthorized, rfcError{Error: "invalid_client", Description: descCharset(e.desc)})
}

// refreshIntrospection describes tok if it is a live refresh token of this
// dialect, else returns nil.
func (d *rfc6749) refreshIntrospection(tok string) *introspection {
	var ans *introspection
	now := d.s.now()
	d.s.refresh.update(d.name()+"\x00"+tok, func(r *refreshEntry, ok bool) bool {
		live := ok && now.Before(r.exp) && !r.used && !r.sess.fam.isRevoked()
		if live || (ok && d.s.has(IntrospectionAlwaysActive)) {
			ans = &introspection{Active: true, Scope: r.sess.scope, ClientID: r.sess.clientID, Username: r.sess.userID,
				TokenType: "refresh_token", Exp: r.exp.Unix()}
		}
		return false
	})
	return ans
}

// accessIntrospection describes tok if it is a live access token signed by
// this dialect, else returns nil.
func (d *rfc6749) accessIntrospection(tok string) *introspection {
	var c struct {
		bearerClaims
		Scope string `json:"scope"`
		Iat   int64  `json:"iat"`
	}
	if err := d.signer.verify(tok, &c); err != nil || c.Jti == "" {
		return nil
	}
	if !d.s.has(IntrospectionAlwaysActive) {
		// expired and isRevoked honour the bearer defects; introspection
		// keeps to the truth so that each defect breaks one endpoint.
		if exp, err := c.Exp.Int64(); err != nil || !d.s.now().Before(unixTime(exp)) {
			return nil
		}
		if _, revoked := d.s.revoked.get(c.Jti); revoked {
			return nil
		}
	}
	exp, _ := c.Exp.Int64()
	ans := &introspection{Active: true, Scope: c.Scope, ClientID: c.ClientID, TokenType: "Bearer", Exp: exp, Iat: c.Iat, Sub: c.Sub, Jti: c.Jti}
	if c.Sub != c.ClientID {
		ans.Username = c.Sub
	}
	return ans
}
