package reference

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// hs256 signs and verifies compact JWS tokens with HMAC-SHA256 (RFC 7515, RFC 7518
// §3.2). It is written here rather than borrowed so that the reference shares no
// JOSE code with the conformance steps, which decode tokens with golang-jwt.
// Safe for concurrent use.
type hs256 struct {
	pool      sync.Pool // of hash.Hash keyed with the secret
	headerDot []byte    // jwtHeader + "."
}

// jwtHeader is base64url({"alg":"HS256","typ":"JWT"}).
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

func newHS256(key string) *hs256 {
	k := []byte(key)
	return &hs256{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, k) }}, headerDot: []byte(jwtHeader + ".")}
}

// sign returns header.payload.signature for the JSON encoding of claims.
func (h *hs256) sign(claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("jwt: encode claims: %w", err)
	}
	return h.signPayload(payload), nil
}

// signPayload signs an already-encoded JSON claims object.
func (h *hs256) signPayload(payload []byte) string {
	enc := base64.RawURLEncoding
	var sb strings.Builder
	sb.Grow(len(jwtHeader) + 1 + enc.EncodedLen(len(payload)) + 1 + enc.EncodedLen(sha256.Size))
	sb.WriteString(jwtHeader)
	sb.WriteByte('.')
	var tmp [512]byte
	p := enc.AppendEncode(tmp[:0], payload)
	sb.Write(p)
	mac := h.pool.Get().(hash.Hash)
	mac.Reset()
	mac.Write(h.headerDot)
	mac.Write(p)
	var sum [sha256.Size]byte
	sig := mac.Sum(sum[:0])
	h.pool.Put(mac)
	sb.WriteByte('.')
	var sigBuf [64]byte
	sb.Write(enc.AppendEncode(sigBuf[:0], sig))
	return sb.String()
}

var errBadToken = errors.New("malformed or badly signed token")

// verify checks the signature of tok and decodes its claims into v. It checks
// nothing about time: callers compare exp with their clock.
func (h *hs256) verify(tok string, v any) error {
	dot2 := strings.LastIndexByte(tok, '.')
	if dot2 < 0 || strings.Count(tok, ".") != 2 {
		return errBadToken
	}
	signed, sigPart := tok[:dot2], tok[dot2+1:]
	head, payload, _ := strings.Cut(signed, ".")
	if head != jwtHeader {
		return errBadToken // only {"alg":"HS256","typ":"JWT"}: no alg=none, no confusion
	}
	sig, err := base64.RawURLEncoding.DecodeString(sigPart)
	if err != nil {
		return errBadToken
	}
	mac := h.pool.Get().(hash.Hash)
	mac.Reset()
	mac.Write([]byte(signed))
	var sum [sha256.Size]byte
	want := mac.Sum(sum[:0])
	h.pool.Put(mac)
	if !hmac.Equal(sig, want) {
		return errBadToken
	}
	return decodePayload(payload, v)
}

// decodePayload decodes a JWS payload segment (RFC 7515 §7.1: base64url
// without padding) into v, numbers as json.Number.
func decodePayload(segment string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(segment)
	if err != nil {
		return errBadToken
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return errBadToken
	}
	return nil
}

// parseUnverified decodes the claims of a compact JWS without checking the
// signature (used only by the bearer-accepts-forged defect).
func parseUnverified(tok string, v any) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return errBadToken
	}
	return json.Unmarshal(raw, v)
}

// randBytes returns n bytes from crypto/rand.
func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b
}

// randHex returns 2n hex characters of randomness (n bytes, ≥ 128 bits when n ≥ 16:
// RFC 6749 §10.10).
func randHex(n int) string { return hex.EncodeToString(randBytes(n)) }

// uuid4 returns a random RFC 9562 version 4 UUID.
func uuid4() string {
	b := randBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
