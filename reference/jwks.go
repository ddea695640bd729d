package reference

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
)

// SigningAlgs returns the JWS algorithms WithSigningAlg accepts (RFC 7518
// §3.3, §3.4, §3.5; RFC 8037 §3.1 for EdDSA with Ed25519).
func SigningAlgs() []string { return []string{"RS256", "PS256", "ES256", "EdDSA"} }

// WithSigningAlg makes the RFC 6749 dialect sign its JWT access tokens with a
// generated key pair for alg (one of SigningAlgs) instead of its HS256
// signing_key, and publish the public keys as a JWK Set (RFC 7517) at
// /oauth2/jwks, announced as jwks_uri in its metadata.
func WithSigningAlg(alg string) Option { return func(o *options) { o.signingAlg = alg } }

// jwtSigner signs the RFC 6749 dialect's access tokens and verifies them.
type jwtSigner interface {
	tokenVerifier
	signJWT(payload []byte) (string, error)
}

// tokenVerifier checks a compact JWS and decodes its claims into v.
type tokenVerifier interface {
	verify(tok string, v any) error
}

func (h *hs256) signJWT(payload []byte) (string, error) { return h.signPayload(payload), nil }

// signingKey is one asymmetric key pair, identified by its RFC 7638 thumbprint.
type signingKey struct {
	kid    string
	alg    string
	priv   crypto.Signer
	jwk    map[string]string
	header string // base64url of the JWS header
	pubPEM []byte // the public key's SubjectPublicKeyInfo PEM (for the alg-confusion defect)
}

// keySet holds the dialect's signing keys: the first signs, the others are
// kept (published and accepted) until the next rotation, so that tokens
// signed before a rotation stay valid. Safe for concurrent use.
type keySet struct {
	alg    string
	mu     sync.RWMutex
	keys   []*signingKey
	hidden *signingKey // kid-unpublished: signs and verifies, not published
}

// maxPublishedKeys is how many keys the JWKS lists: the current and the previous.
const maxPublishedKeys = 2

func newKeySet(alg string, unpublished bool) (*keySet, error) {
	ks := &keySet{alg: alg}
	if err := ks.rotate(); err != nil {
		return nil, err
	}
	if unpublished {
		k, err := newSigningKey(alg)
		if err != nil {
			return nil, err
		}
		ks.hidden = k
	}
	return ks, nil
}

// rotate makes a new key the signing key; the previous one stays published,
// older ones are dropped (tokens they signed no longer verify).
func (ks *keySet) rotate() error {
	k, err := newSigningKey(ks.alg)
	if err != nil {
		return err
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.keys = append([]*signingKey{k}, ks.keys...)
	if len(ks.keys) > maxPublishedKeys {
		ks.keys = ks.keys[:maxPublishedKeys]
	}
	return nil
}

func newSigningKey(alg string) (*signingKey, error) {
	var (
		priv crypto.Signer
		err  error
	)
	switch alg {
	case "RS256", "PS256":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("signing alg %q is not one of %s", alg, strings.Join(SigningAlgs(), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", alg, err)
	}
	jwk, thumb := publicJWK(priv.Public())
	sum := sha256.Sum256([]byte(thumb))
	k := &signingKey{kid: base64.RawURLEncoding.EncodeToString(sum[:]), alg: alg, priv: priv, jwk: jwk}
	jwk["kid"], jwk["alg"], jwk["use"] = k.kid, alg, "sig"
	head, _ := json.Marshal(map[string]string{"alg": alg, "kid": k.kid, "typ": "JWT"})
	k.header = base64.RawURLEncoding.EncodeToString(head)
	der, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, fmt.Errorf("encode %s public key: %w", alg, err)
	}
	k.pubPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	return k, nil
}

// publicJWK returns the JWK members of a public key (RFC 7518 §6.2, §6.3;
// RFC 8037 §2) and its RFC 7638 §3 thumbprint input: the required members in
// lexicographic order, without whitespace.
func publicJWK(pub crypto.PublicKey) (map[string]string, string) {
	b64 := base64.RawURLEncoding.EncodeToString
	switch p := pub.(type) {
	case *rsa.PublicKey:
		n, e := b64(p.N.Bytes()), b64(big.NewInt(int64(p.E)).Bytes())
		return map[string]string{"kty": "RSA", "n": n, "e": e}, `{"e":"` + e + `","kty":"RSA","n":"` + n + `"}`
	case *ecdsa.PublicKey:
		raw, _ := p.Bytes() // uncompressed point: 0x04 || X || Y
		x, y := b64(raw[1:33]), b64(raw[33:])
		return map[string]string{"kty": "EC", "crv": "P-256", "x": x, "y": y}, `{"crv":"P-256","kty":"EC","x":"` + x + `","y":"` + y + `"}`
	case ed25519.PublicKey:
		x := b64(p)
		return map[string]string{"kty": "OKP", "crv": "Ed25519", "x": x}, `{"crv":"Ed25519","kty":"OKP","x":"` + x + `"}`
	}
	return nil, ""
}

// signJWT signs payload with the current key (RFC 7515 §5.1, compact form).
func (ks *keySet) signJWT(payload []byte) (string, error) {
	ks.mu.RLock()
	k := ks.keys[0]
	ks.mu.RUnlock()
	if ks.hidden != nil {
		k = ks.hidden
	}
	input := k.header + "." + base64.RawURLEncoding.EncodeToString(payload)
	sig, err := k.sign([]byte(input))
	if err != nil {
		return "", fmt.Errorf("jwt: sign with %s: %w", k.alg, err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// sign returns the JWS signature of input (RFC 7518 §3.3–3.5, RFC 8037 §3.1).
func (k *signingKey) sign(input []byte) ([]byte, error) {
	digest := sha256.Sum256(input)
	switch p := k.priv.(type) {
	case *rsa.PrivateKey:
		if k.alg == "PS256" {
			return rsa.SignPSS(rand.Reader, p, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(nil, p, crypto.SHA256, digest[:])
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, p, digest[:])
		if err != nil {
			return nil, err
		}
		sig := make([]byte, 64) // R || S, 32 bytes each (RFC 7518 §3.4)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig, nil
	case ed25519.PrivateKey:
		return ed25519.Sign(p, input), nil
	}
	return nil, fmt.Errorf("unsupported key type %T", k.priv)
}

// checkSig verifies sig over input with k's public key.
func (k *signingKey) checkSig(input, sig []byte) bool {
	digest := sha256.Sum256(input)
	switch p := k.priv.Public().(type) {
	case *rsa.PublicKey:
		if k.alg == "PS256" {
			return rsa.VerifyPSS(p, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
		return rsa.VerifyPKCS1v15(p, crypto.SHA256, digest[:], sig) == nil
	case *ecdsa.PublicKey:
		if len(sig) != 64 {
			return false
		}
		return ecdsa.Verify(p, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	case ed25519.PublicKey:
		return ed25519.Verify(p, input, sig)
	}
	return false
}

// jwsHeader is the part of a JWS header (RFC 7515 §4.1) the verifier reads.
type jwsHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// splitJWS splits a compact JWS into its signing input, decoded header and signature.
func splitJWS(tok string) (input string, h jwsHeader, sig []byte, err error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", h, nil, errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(raw, &h) != nil {
		return "", h, nil, errBadToken
	}
	if sig, err = base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return "", h, nil, errBadToken
	}
	return parts[0] + "." + parts[1], h, sig, nil
}

// verify checks tok against the key its kid names, with that key's algorithm
// only: "none", HS256 and any other alg are refused (RFC 8725 §2.1, §3.1).
func (ks *keySet) verify(tok string, v any) error {
	input, h, sig, err := splitJWS(tok)
	if err != nil {
		return err
	}
	k := ks.key(h.Kid)
	if k == nil || h.Alg != k.alg || !k.checkSig([]byte(input), sig) {
		return errBadToken
	}
	return decodeClaims(tok, v)
}

// key returns the key with kid, published or (kid-unpublished) hidden.
func (ks *keySet) key(kid string) *signingKey {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	for _, k := range ks.keys {
		if k.kid == kid {
			return k
		}
	}
	if ks.hidden != nil && ks.hidden.kid == kid {
		return ks.hidden
	}
	return nil
}

// publicPEMs returns the public keys' PEM texts.
func (ks *keySet) publicPEMs() [][]byte {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	out := make([][]byte, 0, len(ks.keys))
	for _, k := range ks.keys {
		out = append(out, k.pubPEM)
	}
	return out
}

// jwks returns the published JWK Set (RFC 7517 §5): public keys only, or,
// with private (the jwks-private-key defect), each key's private members too.
func (ks *keySet) jwks(private bool) map[string]any {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	keys := make([]map[string]string, 0, len(ks.keys))
	for _, k := range ks.keys {
		if !private {
			keys = append(keys, k.jwk)
			continue
		}
		jwk := privateJWK(k.priv)
		for m, v := range k.jwk {
			jwk[m] = v
		}
		keys = append(keys, jwk)
	}
	return map[string]any{"keys": keys}
}

// privateJWK returns the private members of priv's JWK (RFC 7518 §6.2.2,
// §6.3.2; RFC 8037 §2), which a published JWK Set must never hold: the
// jwks-private-key defect publishes them.
func privateJWK(priv crypto.Signer) map[string]string {
	b64 := base64.RawURLEncoding.EncodeToString
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		return map[string]string{"d": b64(p.D.Bytes()), "p": b64(p.Primes[0].Bytes()), "q": b64(p.Primes[1].Bytes())}
	case *ecdsa.PrivateKey:
		d, _ := p.Bytes()
		return map[string]string{"d": b64(d)}
	case ed25519.PrivateKey:
		return map[string]string{"d": b64(p.Seed())}
	}
	return map[string]string{}
}

// decodeClaims decodes the payload of a compact JWS into v, numbers as json.Number.
func decodeClaims(tok string, v any) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errBadToken
	}
	return decodePayload(parts[1], v)
}

// resourceVerifier is what the RFC 6749 dialect's protected resource checks
// tokens with: the dialect's signer, widened by the hs256-public-key-accepted defect.
type resourceVerifier struct{ d *rfc6749 }

func (rv resourceVerifier) verify(tok string, v any) error {
	s := rv.d.s
	if s.has(HS256PublicKeyAccepted) { // (alg-none-accepted: checkJWTBearer)
		input, h, sig, err := splitJWS(tok)
		if ks := rv.d.keys; err == nil && h.Alg == "HS256" && ks != nil && s.has(HS256PublicKeyAccepted) {
			for _, key := range ks.publicPEMs() {
				mac := hmac.New(sha256.New, key)
				mac.Write([]byte(input))
				if hmac.Equal(mac.Sum(nil), sig) {
					return decodeClaims(tok, v) // the defect: the public key as an HMAC secret
				}
			}
		}
	}
	return rv.d.signer.verify(tok, v)
}

// handleJWKS serves the JWK Set (RFC 7517 §5) of the RFC 6749 dialect.
func (d *rfc6749) handleJWKS(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, d.keys.jwks(d.s.has(JWKSPrivateKey)))
}

// handleRotateKeys serves POST /_test/keys/rotate (with WithTestClock): a new
// signing key; the previous one stays published, the one before is dropped.
func (d *rfc6749) handleRotateKeys(w http.ResponseWriter, _ *http.Request) {
	if err := d.keys.rotate(); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, d.keys.jwks(false))
}

// RotateSigningKey makes a new key sign the RFC 6749 dialect's access tokens
// (WithSigningAlg only); the previous key stays published and valid until the
// next rotation.
func (s *Server) RotateSigningKey() error {
	if s.rfc.keys == nil {
		return fmt.Errorf("reference: key rotation needs WithSigningAlg")
	}
	return s.rfc.keys.rotate()
}
