package steps

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthconf/oauthconf/profile"
)

// asymmetricAlgs are the JWS algorithms verified with a JWK Set (RFC 7518
// §3.3, §3.4, §3.5; RFC 8037 §3.1). HMAC and "none" are never accepted with
// one (RFC 8725 §3.1: the key fixes the algorithm).
var asymmetricAlgs = []string{"RS256", "PS256", "ES256", "EdDSA"}

// maxJWKSRefetches bounds how often one run fetches a JWK Set again for a
// kid it does not know (a key rotation, RFC 7517 §4.5).
const maxJWKSRefetches = 8

// privateJWKMembers are the members that only a private or symmetric JWK has
// (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// jwksCache holds the JWK Sets a run fetched, by URL. Safe for concurrent use
// (the target is shared by concurrent scenarios).
type jwksCache struct {
	mu   sync.Mutex
	sets map[string]*jwksEntry
}

type jwksEntry struct {
	kf        keyfunc.Keyfunc
	set       jwkset.JWKSMarshal
	refetches int
}

// jwksURI returns the JWK Set URL: token.jwks_uri, else the metadata's
// jwks_uri; the scenario is skipped when there is neither.
func (s *scenario) jwksURI(ctx context.Context) (string, error) {
	if u := s.t.p.Token.JWKSURI; u != "" {
		return profile.JoinURL(s.t.client.base.String(), u), nil
	}
	if s.t.p.Metadata == nil {
		return "", errSkip("profile %s names no JWK Set (token.jwks_uri) and no metadata to discover one", s.t.p.Name)
	}
	d, err := s.metadataDocument(ctx)
	if err != nil {
		return "", err
	}
	if d.doc.JWKSURI == "" {
		return "", errSkip("the target's metadata has no jwks_uri: it publishes no signing keys")
	}
	return d.doc.JWKSURI, nil
}

// fetchJWKS GETs a JWK Set (RFC 7517 §5) through the scenario's client.
func (s *scenario) fetchJWKS(ctx context.Context, uri string) (*jwksEntry, error) {
	ex, err := s.send(ctx, http.MethodGet, uri, http.Header{"Accept": {"application/json"}}, nil)
	if err != nil {
		return nil, err
	}
	if ex.Status != http.StatusOK {
		return nil, failf("GET %s (the JWK Set) answered %s, want 200%s", uri, ex.StatusText, bodyHint(ex))
	}
	var raw struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(ex.RespBody, &raw); err != nil || raw.Keys == nil {
		return nil, failf("GET %s: not a JWK Set, a JSON object with a \"keys\" array (RFC 7517 §5)%s", uri, bodyHint(ex))
	}
	for _, k := range raw.Keys {
		for _, m := range privateJWKMembers {
			if v, ok := k[m].(string); ok {
				s.red.add(v)
				return nil, failf("the JWK Set at %s publishes private or symmetric key material (member %q, RFC 7517 §5, RFC 7518 §6)", uri, m)
			}
		}
	}
	kf, err := keyfunc.NewJWKSetJSON(ex.RespBody)
	if err != nil {
		return nil, failf("GET %s: the JWK Set does not parse (RFC 7517 §5): %v", uri, err)
	}
	var set jwkset.JWKSMarshal
	_ = json.Unmarshal(ex.RespBody, &set)
	return &jwksEntry{kf: kf, set: set}, nil
}

// jwks returns the JWK Set at uri, fetched once per run; refresh fetches it
// again (bounded by maxJWKSRefetches), for a kid the cached set lacks.
func (s *scenario) jwks(ctx context.Context, uri string, refresh bool) (*jwksEntry, error) {
	c := s.t.keys
	c.mu.Lock()
	e := c.sets[uri]
	if e != nil && refresh {
		if e.refetches >= maxJWKSRefetches {
			c.mu.Unlock()
			return e, nil
		}
		e.refetches++
	}
	c.mu.Unlock()
	if e != nil && !refresh {
		return e, nil
	}
	fresh, err := s.fetchJWKS(ctx, uri)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e != nil {
		fresh.refetches = e.refetches
	}
	c.sets[uri] = fresh
	return fresh, nil
}

// verifyJWKS verifies tok's signature with the key of the JWK Set its kid
// names (RFC 7515 §4.1.4, RFC 7517 §4.5), fetching the set again once when
// the kid is unknown (the server may have rotated its keys). Only the
// asymmetric algorithms are accepted, or the profile's jwt.alg.
func (s *scenario) verifyJWKS(ctx context.Context, tok string) (*jwt.Token, error) {
	uri, err := s.jwksURI(ctx)
	if err != nil {
		return nil, err
	}
	algs := asymmetricAlgs
	if spec := s.t.p.JWT; spec != nil && spec.Alg != "" {
		algs = []string{spec.Alg}
	}
	p := jwt.NewParser(jwt.WithValidMethods(algs), jwt.WithoutClaimsValidation(), jwt.WithJSONNumber())
	var tk *jwt.Token
	for attempt := 0; attempt < 2; attempt++ {
		e, err := s.jwks(ctx, uri, attempt > 0)
		if err != nil {
			return nil, control(err)
		}
		tk, err = p.Parse(tok, e.kf.Keyfunc)
		if err == nil {
			return tk, nil
		}
		if !errors.Is(err, jwkset.ErrKeyNotFound) {
			return nil, failf("the access token does not verify with the JWK Set at %s: %v", uri, err)
		}
	}
	kid, _ := tk.Header["kid"].(string)
	return nil, failf("the access token's kid %q is not in the JWK Set at %s, fetched again (RFC 7515 §4.1.4, RFC 7517 §4.5)", kid, uri)
}

// jwtParts splits a compact JWS and decodes its header; ok is false for a
// token that is not one (an opaque token).
func jwtParts(tok string) (header map[string]any, parts []string, ok bool) {
	parts = strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(raw, &header) != nil {
		return nil, nil, false
	}
	if _, ok := header["alg"].(string); !ok {
		return nil, nil, false
	}
	return header, parts, true
}

// unsignedCopy returns tok with its header's alg replaced by "none" and no
// signature (RFC 7519 §6.1, the attack of RFC 8725 §2.1).
func unsignedCopy(tok string) string {
	header, parts, _ := jwtParts(tok)
	header["alg"] = "none"
	h, _ := json.Marshal(header)
	return base64.RawURLEncoding.EncodeToString(h) + "." + parts[1] + "."
}

// hs256Copies returns tok re-signed with HS256, keyed with each public key of
// set in the encodings a confused verifier might use as an HMAC secret (PEM
// SubjectPublicKeyInfo, with and without its final newline, and DER): the
// attack of RFC 8725 §2.1.
func hs256Copies(tok string, set jwkset.JWKSMarshal) []string {
	header, parts, _ := jwtParts(tok)
	header["alg"] = "HS256"
	h, _ := json.Marshal(header)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + parts[1]
	var out []string
	for _, k := range set.Keys {
		jwk, err := jwkset.NewJWKFromMarshal(k, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			continue
		}
		der, err := x509.MarshalPKIXPublicKey(jwk.Key())
		if err != nil {
			continue
		}
		p := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		for _, key := range [][]byte{p, p[:len(p)-1], der} {
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(input))
			out = append(out, input+"."+base64.RawURLEncoding.EncodeToString(mac.Sum(nil)))
		}
	}
	return out
}

// errNotJWT is the skip of a scenario about JWTs when the token is opaque.
func errNotJWT(what string) error {
	return errSkip("the %s is not a JWT (opaque to the client, RFC 6749 §1.4): the JWS checks do not apply", what)
}
