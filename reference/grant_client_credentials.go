package reference

import "net/http"

// grantClientCredentials is the client credentials grant (RFC 6749 §4.4): the
// client authenticates (§4.4.2) and gets an access token, without a refresh
// token (§4.4.3). Shopware, Elastic Path and RFC 6749 dialects.
func (s *Server) grantClientCredentials(w http.ResponseWriter, tr *tokenRequest, d dialect) {
	cl, e := d.authenticateClient(tr, "client_credentials")
	if e != nil {
		d.writeError(w, tr, e)
		return
	}
	if cl.public {
		d.writeError(w, tr, &oauthError{code: "unauthorized_client", desc: "public clients may not use client_credentials"})
		return
	}
	sess := &session{grant: "client_credentials", clientID: cl.id}
	if sc, ok := d.(scopeChecker); ok {
		if sess.scope, e = sc.checkScope(cl, tr.params["scope"]); e != nil {
			d.writeError(w, tr, e)
			return
		}
	}
	if s.has(TokensNotUnique) {
		key := d.name() + "\x00" + cl.id
		if t, ok := s.sameToken.Load(key); ok {
			d.respond(w, tr, t.(*tokens))
			return
		}
		t, err := d.mint(sess, s.withRefreshFor("client_credentials"))
		if err == nil {
			s.sameToken.Store(key, t)
			d.respond(w, tr, t)
			return
		}
	}
	s.mintAndRespond(w, tr, d, sess, "client_credentials")
}
