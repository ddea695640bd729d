package reference

import "net/http"

// grantPassword is the resource owner password credentials grant (RFC 6749
// §4.3): the client authenticates, the user's password is checked (§4.3.2) and
// an access and refresh token are issued. Shopware and RFC 6749 dialects.
func (s *Server) grantPassword(w http.ResponseWriter, tr *tokenRequest, d dialect) {
	cl, e := s.authenticateFor(tr, d, "password", PasswordNoClientAuth)
	if e != nil {
		d.writeError(w, tr, e)
		return
	}
	username, password := tr.params["username"], tr.params["password"]
	for _, p := range []string{"username", "password"} {
		if tr.params[p] == "" {
			d.writeError(w, tr, s.missing(d, p))
			return
		}
	}
	ua, ok := d.(userAuthenticator)
	if !ok {
		d.writeError(w, tr, errUnsupportedGrant("password"))
		return
	}
	userID, e := ua.authenticateUser(username, password)
	if e != nil {
		d.writeError(w, tr, e)
		return
	}
	sess := &session{grant: "password", clientID: cl.id, publicClient: cl.public, userID: userID, sessionID: uuid4()}
	if sc, ok := d.(scopeChecker); ok {
		if sess.scope, e = sc.checkScope(cl, tr.params["scope"]); e != nil {
			d.writeError(w, tr, e)
			return
		}
	}
	sess.fam = &family{}
	s.mintAndRespond(w, tr, d, sess, "password")
}
