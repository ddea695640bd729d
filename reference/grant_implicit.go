package reference

import (
	"net/http"
	"net/url"
	"strconv"
)

// grantImplicit is Elastic Path's implicit token: a token endpoint request with
// grant_type=implicit and only a client_id, answered with a read-only token.
func (s *Server) grantImplicit(w http.ResponseWriter, tr *tokenRequest, d dialect) {
	cl, e := d.authenticateClient(tr, "implicit")
	if e != nil {
		d.writeError(w, tr, e)
		return
	}
	s.mintAndRespond(w, tr, d, &session{grant: "implicit", clientID: cl.id}, "implicit")
}

// implicitRedirect answers an RFC 6749 §4.2 authorization request with
// response_type=token: the access token goes in the redirect URI's fragment
// (§4.2.2), never with a refresh token.
func (s *Server) implicitRedirect(w http.ResponseWriter, r *http.Request, d dialect, sess *session, redirectURI, state string) {
	t, err := d.mint(s.fixedUnder(sess), s.withRefreshFor("implicit"))
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	frag := url.Values{}
	frag.Set("access_token", t.access)
	frag.Set("token_type", s.tokenType("Bearer"))
	frag.Set("expires_in", strconv.FormatInt(t.expiresIn, 10))
	if t.refresh != "" {
		frag.Set("refresh_token", t.refresh)
	}
	if sess.scope != "" {
		frag.Set("scope", sess.scope)
	}
	if state != "" && !s.has(StateNotEchoed) {
		frag.Set("state", state)
	}
	s.setNoStore(w)
	if s.has(ImplicitInQuery) {
		http.Redirect(w, r, redirectURI+querySep(redirectURI)+frag.Encode(), http.StatusFound)
		return
	}
	http.Redirect(w, r, redirectURI+"#"+frag.Encode(), http.StatusFound)
}
