package reference

import (
	"net/http"
	"strings"
	"time"
)

// refreshEntry is an issued refresh token. With rotation the used token is
// deleted, or, where the dialect detects replay (RFC 6749), kept marked used so
// that a replay revokes its family (RFC 9700 §4.14.2).
type refreshEntry struct {
	dialect string
	sess    session
	exp     time.Time
	used    bool
}

func (e *refreshEntry) expiry() time.Time { return e.exp }

// storeRefresh records a refresh token under key until exp.
func (s *Server) storeRefresh(d dialect, key string, sess *session, exp time.Time) {
	s.refresh.put(d.name()+"\x00"+key, &refreshEntry{dialect: d.name(), sess: *sess, exp: exp}, s.now())
}

// grantRefreshToken is the refresh token grant (RFC 6749 §6): the client
// authenticates, the token must be its own (binding), unexpired, unrevoked, and
// the scope may only narrow. The used token is rotated out (RFC 9700 §4.14.2).
// Ucommerce, Shopware and RFC 6749 dialects.
func (s *Server) grantRefreshToken(w http.ResponseWriter, tr *tokenRequest, d dialect) {
	cl, e := s.authenticateFor(tr, d, "refresh_token", RefreshNoClientAuth)
	if e != nil {
		d.writeError(w, tr, e)
		return
	}
	rt := tr.params["refresh_token"]
	if rt == "" {
		d.writeError(w, tr, s.missing(d, "refresh_token"))
		return
	}
	key := rt
	if k, ok := d.(refreshKeyer); ok {
		if key, e = k.refreshKey(rt); e != nil {
			d.writeError(w, tr, e)
			return
		}
	}
	scope := tr.params["scope"]
	if _, ok := d.(refreshScopeIgnorer); ok {
		scope = ""
	}
	sess, e := s.rotateRefresh(d, key, cl, scope)
	if e != nil {
		d.writeError(w, tr, e)
		return
	}
	s.mintAndRespond(w, tr, d, sess, "refresh_token")
}

// rotateRefresh checks and (unless refresh-not-rotated) consumes a refresh
// token atomically, returning the session the new tokens are for.
func (s *Server) rotateRefresh(d dialect, key string, cl *client, scope string) (*session, *oauthError) {
	replayDetect := d.name() == "rfc6749"
	now := s.now()
	var (
		out *session
		e   *oauthError
	)
	invalid := func(desc string) *oauthError {
		return &oauthError{code: "invalid_grant", desc: desc, reason: reasonRefreshInvalid}
	}
	s.refresh.update(d.name()+"\x00"+key, func(r *refreshEntry, ok bool) (del bool) {
		switch {
		case !ok:
			e = invalid("unknown refresh token")
			return false
		case !now.Before(r.exp):
			e = invalid("refresh token expired")
			return true
		case r.sess.fam.isRevoked():
			e = invalid("refresh token was revoked")
			return false
		case r.used && !s.has(RefreshNotRotated):
			if replayDetect {
				s.revokeFamily(r.sess.fam)
			}
			e = invalid("refresh token was already used")
			return false
		case r.sess.clientID != cl.id && !cl.unchecked && !s.has(RefreshNotBoundClient) && !(r.sess.publicClient && s.has(RefreshPublicNotBound)):
			e = invalid("refresh token was issued to another client")
			return false
		}
		sess := r.sess
		if scope != "" {
			if !scopeSubset(scope, r.sess.scope) && !s.has(RefreshScopeWiden) {
				e = &oauthError{code: "invalid_scope", desc: "scope exceeds the original grant", param: "scope"}
				return false
			}
			sess.scope = scope
		}
		out = &sess
		if s.has(RefreshNotRotated) {
			return false
		}
		if replayDetect {
			r.used = true
			return false
		}
		return true
	})
	return out, e
}

// scopeSubset reports whether every scope in req is in granted (space-delimited,
// RFC 6749 §3.3).
func scopeSubset(req, granted string) bool {
	have := map[string]bool{}
	for _, g := range strings.Fields(granted) {
		have[g] = true
	}
	for _, r := range strings.Fields(req) {
		if !have[r] {
			return false
		}
	}
	return true
}
