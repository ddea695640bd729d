package reference

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

// codeEntry is an issued authorization code (RFC 6749 §4.1.2). A used code is
// kept until it would have expired, so that a replay can be detected and the
// tokens issued from it revoked.
type codeEntry struct {
	sess      session
	exp       time.Time
	keepUntil time.Time
	challenge string // RFC 7636 code_challenge (S256), "" without PKCE
	used      bool
}

func (e *codeEntry) expiry() time.Time {
	if e.keepUntil.After(e.exp) {
		return e.keepUntil
	}
	return e.exp
}

// replayWindow is how long a used code is remembered after its own expiry.
const replayWindow = 10 * time.Minute

// issueCode stores a new code for sess and returns it. newCode makes the code's
// text (dialects differ: Ucommerce's codes need URL-encoding).
func (s *Server) issueCode(d dialect, sess session, ttl time.Duration, challenge string, newCode func() string) string {
	code := newCode()
	now := s.now()
	s.codes.put(d.name()+"\x00"+code, &codeEntry{sess: sess, exp: now.Add(ttl), keepUntil: now.Add(ttl + replayWindow), challenge: challenge}, now)
	return code
}

// grantAuthorizationCode is the authorization code grant's token request (RFC
// 6749 §4.1.3): the client authenticates, the code is redeemed exactly once,
// before it expires, by the client it was issued to, with the same redirect_uri
// (§4.1.3) and the PKCE verifier that matches its challenge (RFC 7636 §4.6).
// Ucommerce and RFC 6749 dialects.
func (s *Server) grantAuthorizationCode(w http.ResponseWriter, tr *tokenRequest, d dialect) {
	cl, e := s.authenticateFor(tr, d, "authorization_code", CodeExchangeNoClientAuth)
	if e != nil && e.code == "invalid_client" && s.has(PKCEReplacesSecret) && tr.params["code_verifier"] != "" && tr.params["client_id"] != "" {
		// The defect: a PKCE verifier is taken for the confidential client's
		// secret (RFC 6749 §3.2.1 knows no such exception).
		cl, e = &client{id: tr.params["client_id"]}, nil
	}
	if e != nil {
		d.writeError(w, tr, e)
		return
	}
	code := tr.params["code"]
	if code == "" {
		d.writeError(w, tr, s.missing(d, "code"))
		return
	}
	sess, e := s.redeemCode(d, code, cl, tr.params["redirect_uri"], tr.params["code_verifier"])
	if e != nil {
		d.writeError(w, tr, e)
		return
	}
	s.mintAndRespond(w, tr, d, sess, "authorization_code")
}

// redeemCode checks and consumes code atomically: of concurrent redemptions
// exactly one succeeds (RFC 6749 §10.5). Redeeming a used code revokes the
// tokens issued from it (§4.1.2).
func (s *Server) redeemCode(d dialect, code string, cl *client, redirectURI, verifier string) (*session, *oauthError) {
	key := d.name() + "\x00" + code
	if _, ok := s.codes.get(key); !ok && s.has(CodeAcceptsEncoded) {
		if dec, err := url.QueryUnescape(code); err == nil {
			key = d.name() + "\x00" + dec
		}
	}
	now := s.now()
	var (
		out *session
		e   *oauthError
	)
	check := func(c *codeEntry, ok bool) (del bool) {
		switch {
		case !ok:
			e = errInvalidGrant("unknown authorization code")
			return false
		case c.used && !s.has(CodeReusable):
			if !s.has(ReplayNoRevoke) {
				s.revokeFamily(c.sess.fam)
			}
			e = errInvalidGrant("authorization code was already used")
			return false
		case !now.Before(c.exp) && !s.has(CodeNeverExpires):
			e = errInvalidGrant("authorization code expired")
			return true
		case c.sess.clientID != cl.id && !cl.unchecked && !s.has(CodeNotBoundClient):
			e = errInvalidGrant("authorization code was issued to another client")
			return false
		case c.sess.redirectURI != "" && redirectURI != c.sess.redirectURI && !s.has(CodeNotBoundURI):
			e = errInvalidGrant("redirect_uri does not match the authorization request")
			return false
		case c.sess.redirectURI == "" && redirectURI == "" && s.has(ExchangeNeedsRedirectURI):
			// The defect: §4.1.3 requires redirect_uri only "if the
			// "redirect_uri" parameter was included in the authorization request".
			e = errInvalidRequest("redirect_uri is required", "redirect_uri")
			return false
		}
		if e = s.checkVerifier(c.challenge, verifier); e != nil {
			return false
		}
		sess := c.sess
		sess.fam = &family{}
		c.used = true
		c.sess.fam = sess.fam
		out = &sess
		return false
	}
	if s.has(CodeRace) {
		// The defect: check, then use, without holding the lock in between.
		var (
			snapshot codeEntry
			found    bool
		)
		s.codes.update(key, func(c *codeEntry, ok bool) bool {
			if ok {
				snapshot, found = *c, true
			}
			return false
		})
		if found {
			time.Sleep(25 * time.Millisecond) // wide enough to overlap on a loaded 2-core machine
			check(&snapshot, true)
			if out != nil {
				s.codes.update(key, func(c *codeEntry, ok bool) bool {
					if ok {
						c.used, c.sess.fam = true, out.fam
					}
					return false
				})
			}
			return out, e
		}
	}
	s.codes.update(key, check)
	return out, e
}

// checkVerifier enforces PKCE (RFC 7636 §4.6, RFC 9700 §2.1.1): a code issued
// with a challenge needs the matching verifier; a code issued without one must
// not be redeemed with a verifier (downgrade).
func (s *Server) checkVerifier(challenge, verifier string) *oauthError {
	switch {
	case challenge == "" && verifier != "" && !s.has(PKCEDowngrade):
		return errInvalidGrant("code_verifier sent for a code issued without code_challenge")
	case challenge != "" && verifier == "" && !s.has(PKCENotChecked):
		return errInvalidGrant("code_verifier is required")
	case challenge != "" && verifier != "" && !s.has(PKCENotChecked):
		sum := sha256.Sum256([]byte(verifier))
		if !secretEqual(base64.RawURLEncoding.EncodeToString(sum[:]), challenge) {
			return errInvalidGrant("code_verifier does not match code_challenge")
		}
	}
	return nil
}
