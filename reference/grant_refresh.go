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
	sess, consume, e := s.rotateRefresh(d, key, cl, scope)
	if e != nil {
		d.writeError(w, tr, e)
		return
	}
	s.mintThenRespond(w, tr, d, sess, "refresh_token", consume)
}

// rotateRefresh checks and (unless refresh-not-rotated) consumes a refresh
// token atomically, returning the session the new tokens are for. consume is
// nil, except under refresh-store-not-atomic, where the caller runs it once
// the new tokens are minted.
func (s *Server) rotateRefresh(d dialect, key string, cl *client, scope string) (_ *session, consume func(), _ *oauthError) {
	r := refreshRotation{s: s, now: s.now(), replayDetect: d.name() == "rfc6749", clientID: cl.id, unchecked: cl.unchecked, scope: scope}
	key = d.name() + "\x00" + key
	if s.has(RefreshStoreNotAtomic) {
		return r.notAtomic(key)
	}
	s.refresh.update(key, r.check)
	return r.out, nil, r.e
}

// refreshRotation is one refresh request's check of a stored refresh token
// (RFC 6749 §6, RFC 9700 §4.14.2).
type refreshRotation struct {
	s            *Server
	now          time.Time
	replayDetect bool // the dialect keeps used tokens to detect replay (RFC 6749)
	clientID     string
	unchecked    bool // the client was not authenticated (a no-client-auth defect): any id passes
	scope        string

	out *session // the session the new tokens are for, once the check passed
	e   *oauthError
}

// check judges the entry r (absent unless ok) and, if it may be used, sets
// out and rotates the token out (marks it used where replay is detected); it
// runs under the entry's lock and reports whether to delete the entry.
func (rr *refreshRotation) check(r *refreshEntry, ok bool) (del bool) {
	s := rr.s
	invalid := func(desc string) *oauthError {
		return &oauthError{code: "invalid_grant", desc: desc, reason: reasonRefreshInvalid}
	}
	switch {
	case !ok:
		rr.e = invalid("unknown refresh token")
		return false
	case !rr.now.Before(r.exp):
		rr.e = invalid("refresh token expired")
		return true
	case r.sess.fam.isRevoked():
		rr.e = invalid("refresh token was revoked")
		return false
	case r.used && !s.has(RefreshNotRotated):
		if rr.replayDetect {
			s.revokeFamily(r.sess.fam)
		}
		rr.e = invalid("refresh token was already used")
		return false
	case r.sess.clientID != rr.clientID && !rr.unchecked && !s.has(RefreshNotBoundClient) && !(r.sess.publicClient && s.has(RefreshPublicNotBound)):
		rr.e = invalid("refresh token was issued to another client")
		return false
	}
	sess := r.sess
	if rr.scope != "" {
		if !scopeSubset(rr.scope, r.sess.scope) && !s.has(RefreshScopeWiden) {
			rr.e = &oauthError{code: "invalid_scope", desc: "scope exceeds the original grant", param: "scope"}
			return false
		}
		sess.scope = rr.scope
	}
	rr.out = &sess
	if s.has(RefreshNotRotated) {
		return false
	}
	if rr.replayDetect {
		r.used = true
		return false
	}
	return true
}

// notAtomic is the refresh-store-not-atomic defect, a get-then-delete store:
// the token is read and checked in one critical section and rotated out in
// another, by consume, once the new tokens are issued and the response
// written. Refreshes that read the token before the first one rotates it all
// succeed. Nothing sleeps or yields.
func (rr *refreshRotation) notAtomic(key string) (*session, func(), *oauthError) {
	var snapshot refreshEntry
	found := false
	rr.s.refresh.update(key, func(r *refreshEntry, ok bool) bool {
		if ok {
			snapshot, found = *r, true
		}
		return false
	})
	del := rr.check(&snapshot, found)
	if rr.out == nil {
		return nil, nil, rr.e
	}
	used := snapshot.used
	consume := func() {
		rr.s.refresh.update(key, func(r *refreshEntry, ok bool) bool {
			if ok {
				r.used = used
			}
			return del
		})
	}
	return rr.out, consume, nil
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
