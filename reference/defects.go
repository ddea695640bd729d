package reference

import (
	"fmt"
	"sort"
	"strings"
)

// Defect names one deliberate deviation from the documented behaviour. The
// conformance suite proves each of its checks able to fail by running against a
// server started with the defect that breaks the checked rule.
type Defect string

// The defect catalogue. Each one breaks exactly one rule; the comment says which,
// and which dialects it affects.
const (
	// Authorization codes (RFC 6749 §4.1.2, Ucommerce connect flow).
	CodeReusable        Defect = "code-reusable"         // a code can be exchanged again after it was used
	CodeStoreNotAtomic  Defect = "code-store-not-atomic" // a get-then-delete code store: concurrent exchanges of one code can all succeed (RFC 6749 §10.5)
	CodeNeverExpires    Defect = "code-never-expires"    // codes are accepted after their lifetime
	CodeNotEncoded      Defect = "code-not-encoded"      // the code is put into Location without percent-encoding (Ucommerce)
	CodeAcceptsEncoded  Defect = "code-accepts-encoded"  // the token endpoint also accepts the still-percent-encoded code (Ucommerce)
	CodeNotBoundClient  Defect = "code-not-bound-client" // a code issued to one client is redeemed by another
	CodeNotBoundURI     Defect = "code-not-bound-uri"    // the exchange does not compare redirect_uri with the one the code was issued for
	RedirectPrefixMatch Defect = "redirect-prefix-match" // redirect_uri is matched by prefix, not exact string
	RedirectCaseFold    Defect = "redirect-case-fold"    // redirect_uri is matched case-insensitively
	RedirectOnBadURI    Defect = "redirect-on-bad-uri"   // an unregistered redirect_uri still gets a 302 to it (with an error)
	PKCENotChecked      Defect = "pkce-not-checked"      // the code_verifier is not compared with the code_challenge (RFC 7636 §4.6)
	PKCEDowngrade       Defect = "pkce-downgrade"        // a code_verifier is accepted for a code issued without a challenge (RFC 9700 §2.1.1)
	PKCEPlainAccepted   Defect = "pkce-any-method"       // unknown code_challenge_method values are accepted (RFC 7636 §4.4.1)
	ReplayNoRevoke      Defect = "code-replay-no-revoke" // a replayed code does not revoke the tokens issued from it (RFC 6749 §4.1.2 SHOULD)
	ErrorNoState        Defect = "error-no-state"        // authorization error redirects drop the state parameter (RFC 6749 §4.1.2.1)
	StateNotEchoed      Defect = "state-not-echoed"      // the successful authorization redirect drops the state parameter (RFC 6749 §4.1.2)

	// Refresh tokens (RFC 6749 §6, RFC 9700 §4.14).
	RefreshNotRotated     Defect = "refresh-not-rotated"      // the used refresh token keeps working
	RefreshNotBoundClient Defect = "refresh-not-bound-client" // another client can use a refresh token (RFC 6749 §6)
	RefreshScopeWiden     Defect = "refresh-scope-widen"      // a refresh may ask for scopes beyond the original grant (RFC 6749 §6)
	RefreshPublicNotBound Defect = "refresh-public-not-bound" // a public client's refresh token is accepted from another client (RFC 6749 §6, §10.4)
	RefreshStoreNotAtomic Defect = "refresh-store-not-atomic" // a get-then-delete refresh store: concurrent refreshes of one rotated token can all succeed (RFC 9700 §4.14.2)

	// Token responses (RFC 6749 §5.1 and each vendor's documented shape).
	TokenTypeCase       Defect = "token-type-case"               // token_type has the wrong letter case ("Bearer" for Ucommerce, "bearer" elsewhere)
	ExpiresInMismatch   Defect = "expires-in-mismatch"           // expires_in disagrees with the token's real lifetime (JWT exp, Elastic Path expires)
	ExpiresInString     Defect = "expires-in-string"             // expires_in is sent as a JSON string
	WrongLifetime       Defect = "wrong-lifetime"                // tokens live twice the documented lifetime, and say so consistently
	NoCacheHeaders      Defect = "no-cache-headers"              // token responses lack Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1)
	TokensNotUnique     Defect = "tokens-not-unique"             // the same access token is returned for repeated client_credentials requests
	TokensDeterministic Defect = "tokens-deterministic"          // tokens are a function of client, user, scope and second
	MissingRefreshToken Defect = "missing-refresh-token"         // password and authorization_code grants return no refresh_token
	RefreshInCC         Defect = "refresh-in-client-credentials" // client_credentials responses carry a refresh_token (RFC 6749 §4.4.3)
	ImplicitRefresh     Defect = "implicit-refresh-token"        // implicit responses carry a refresh_token (RFC 6749 §4.2.2)
	ImplicitInQuery     Defect = "implicit-token-in-query"       // the implicit access token is put in the redirect URI's query, not its fragment (RFC 6749 §4.2.2)
	JWTClaimsMissing    Defect = "jwt-claims-missing"            // JWT access tokens lack the vendor's documented claims
	MalformedJSON       Defect = "malformed-token-json"          // successful token responses have a truncated JSON body
	WrongContentType    Defect = "token-content-type"            // token responses are sent as text/plain

	// Elastic Path specifics.
	EPIdentifierWrong  Defect = "ep-identifier-wrong"         // identifier is always "client_credentials"
	EPExpiresMillis    Defect = "ep-expires-millis"           // expires is epoch milliseconds, not seconds
	ImplicitCanWrite   Defect = "implicit-can-write"          // an implicit token may write to the catalogue
	ImplicitReadsOrder Defect = "implicit-reads-orders"       // an implicit token alone can read orders (no customer/account token needed)
	CustomerTokenAny   Defect = "customer-token-any-password" // customer and account-member tokens are issued for a wrong password

	// Client and user authentication (RFC 6749 §2.3, §3.2, §4.3).
	ClientAuthSkipped  Defect = "client-auth-skipped"  // a wrong client secret is accepted
	NoBasicChallenge   Defect = "no-basic-challenge"   // invalid_client via Basic answers without 401 + WWW-Authenticate (RFC 6749 §5.2)
	NoBasicAuth        Defect = "no-basic-auth"        // HTTP Basic client authentication is refused (RFC 6749 §2.3.1)
	SecretInQuery      Defect = "secret-in-query"      // client credentials in the URL query are accepted (RFC 6749 §2.3.1)
	PasswordAny        Defect = "password-any"         // the password grant accepts a wrong password
	PasswordAnyClient  Defect = "password-any-client"  // Shopware's password grant accepts a client_id other than "administration"
	TokenGETAllowed    Defect = "token-get-allowed"    // the token endpoint answers GET with a token (RFC 6749 §3.2)
	DuplicateParams    Defect = "duplicate-params"     // repeated parameters are accepted (RFC 6749 §3.2)
	UnknownParamsFatal Defect = "unknown-params-fatal" // unknown parameters are refused instead of ignored (RFC 6749 §3.2)

	// Client authentication per grant (RFC 6749 §3.2.1, RFC 7009 §2.1): a wrong
	// or missing secret, or no client authentication at all, is let through
	// on that grant only.
	CodeExchangeNoClientAuth Defect = "code-exchange-no-client-auth" // the code exchange accepts a wrong, missing or no client authentication
	RefreshNoClientAuth      Defect = "refresh-no-client-auth"       // the refresh_token grant accepts a wrong, missing or no client authentication
	PasswordNoClientAuth     Defect = "password-no-client-auth"      // the password grant accepts a wrong, missing or no client authentication
	RevocationNoClientAuth   Defect = "revocation-no-client-auth"    // the revocation endpoint revokes without client authentication (RFC 7009 §2.1)
	RevocationNotBoundClient Defect = "revocation-not-bound-client"  // a client can revoke another client's tokens (RFC 7009 §2.1)
	PKCEReplacesSecret       Defect = "pkce-replaces-secret"         // a confidential client redeems a PKCE code with its client_id and verifier, no secret

	// The redirect URI when only one is registered (RFC 6749 §3.1.2.3, §4.1.3).
	RedirectURIRequired      Defect = "redirect-uri-required"       // the authorization request is refused without redirect_uri although one URI is registered
	ExchangeNeedsRedirectURI Defect = "exchange-needs-redirect-uri" // the exchange needs redirect_uri although the authorization request had none

	// Error responses (RFC 6749 §5.2 and each vendor's error body).
	ErrorFormatWrong Defect = "error-format-wrong" // error bodies are plain text, not the dialect's JSON format
	WrongErrorCode   Defect = "wrong-error-code"   // error codes are wrong (everything is invalid_request; Shopware codes shifted)
	ErrorStatus200   Defect = "error-status-200"   // errors are answered with 200 OK
	MissingParam500  Defect = "missing-param-500"  // a missing required parameter crashes with 500

	// Protected resources (RFC 6750).
	BearerAcceptsExpired Defect = "bearer-accepts-expired" // expired access tokens are accepted
	BearerAcceptsForged  Defect = "bearer-accepts-forged"  // tokens with a bad signature or unknown value are accepted
	BearerAcceptsRevoked Defect = "bearer-accepts-revoked" // revoked access tokens are accepted
	BearerAcceptsMissing Defect = "bearer-accepts-missing" // a request without any Authorization header is served (RFC 6750 §3)
	BearerNoChallenge    Defect = "bearer-no-challenge"    // 401 answers lack WWW-Authenticate: Bearer (RFC 6750 §3)
	BearerLowercase      Defect = "bearer-scheme-case"     // the "Bearer" scheme is refused unless written exactly "Bearer" (RFC 6750 §2.1 is case-insensitive per RFC 7235)
	RevokeNotHonoured    Defect = "revoke-noop"            // the RFC 7009 revocation endpoint answers 200 but revokes nothing

	// Introspection (RFC 7662).
	IntrospectionOpen            Defect = "introspection-open"             // the introspection endpoint answers without client authentication (§2.1)
	IntrospectionActiveString    Defect = "introspection-active-string"    // "active" is the string "true" instead of a JSON boolean (§2.2)
	IntrospectionInactiveDetails Defect = "introspection-inactive-details" // an inactive token's answer carries more than "active": false (§2.2 SHOULD NOT)
	IntrospectionPublicClient    Defect = "introspection-public-client"    // a public client (client_id alone) may introspect (§2.1)
	IntrospectionAlwaysActive    Defect = "introspection-always-active"    // every token introspects as active: unknown, expired, revoked and rotated-out ones too (§2.2)

	// Sign-in and consent in front of the authorization endpoint (WithLogin / serve --login).
	ConsentSkipped  Defect = "consent-skipped"  // the code is issued after sign-in without asking for consent (RFC 6749 §4.1 (B))
	CSRFUnchecked   Defect = "csrf-unchecked"   // the sign-in and consent forms are accepted without or with a wrong CSRF token (RFC 6749 §10.12)
	LoginBypass     Defect = "login-bypass"     // ?user=NAME on the authorization request stands in for signing in (RFC 6749 §3.1)
	SessionFixation Defect = "session-fixation" // the session id is not renewed when the resource owner signs in (OWASP ASVS 3.2.1: a new session token on authentication)

	// Authorization server metadata (RFC 8414).
	MetadataIssuerMismatch Defect = "metadata-issuer-mismatch" // the metadata's issuer is not the URL it was fetched from (RFC 8414 §3.3)
	MetadataDeadEndpoint   Defect = "metadata-dead-endpoint"   // the metadata advertises a revocation_endpoint that answers 404 (RFC 8414 §2)

	// Asymmetrically signed JWT access tokens (WithSigningAlg / serve --signing-alg) and their resource.
	KidUnpublished         Defect = "kid-unpublished"           // access tokens are signed with a key whose kid is not in the JWKS (RFC 7515 §4.1.4, RFC 7517 §4.5)
	AlgNoneAccepted        Defect = "alg-none-accepted"         // the protected resource accepts unsigned tokens with "alg":"none" (RFC 8725 §2.1, §3.1)
	HS256PublicKeyAccepted Defect = "hs256-public-key-accepted" // the protected resource accepts HS256 tokens whose HMAC key is the public key (RFC 8725 §2.1, §3.1)

	// JWT claim types (RFC 7519 §4.1) of the vendors' JWT access tokens.
	JWTExpString Defect = "jwt-exp-string" // exp is a JSON string instead of a NumericDate (RFC 7519 §4.1.4)
	JWTAudNumber Defect = "jwt-aud-number" // aud is a JSON number instead of a string or an array of strings (RFC 7519 §4.1.3)

	// Authorization requests with a redirect URI that is not registered.
	RedirectCheck500      Defect = "redirect-check-500"      // an unregistered redirect_uri is answered with 500 instead of a refusal (RFC 6749 §4.1.2.1)
	MetadataFieldsMissing Defect = "metadata-fields-missing" // the metadata omits the REQUIRED response_types_supported (RFC 8414 §2)

	// Revocation of a token the server does not know (RFC 7009 §2.2).
	RevocationUnknownTokenError Defect = "revocation-unknown-token-error" // a token the revocation endpoint does not know is answered 400 invalid_request instead of 200 (RFC 7009 §2.2)

	// The JWK Set at jwks_uri (WithSigningAlg / serve --signing-alg).
	JWKSPrivateKey Defect = "jwks-private-key" // the published JWK Set carries the private key members ("d"; RSA "p", "q"…) (RFC 7517 §5, RFC 7518 §6)

	// PKCE required of every client (Config.RFC6749.RequirePKCE / serve --require-pkce).
	PKCERequiredNotEnforced Defect = "pkce-required-not-enforced" // a confidential client gets a code without a code_challenge although PKCE is required of every client (RFC 9700 §2.1.1)
)

// defectDocs holds the one-line description of every defect; it is the
// catalogue that `oauthconf serve --list-defects` prints.
var defectDocs = map[Defect]string{
	CodeReusable:          "an authorization code can be exchanged again after it was used (RFC 6749 §4.1.2)",
	CodeStoreNotAtomic:    "a get-then-delete code store: the code is read and checked, the tokens minted, then the code marked used, each step apart, so concurrent exchanges of one code can all succeed (RFC 6749 §10.5)",
	CodeNeverExpires:      "authorization codes are accepted after their lifetime (Ucommerce: 1 minute)",
	CodeNotEncoded:        "Ucommerce: the code is put into Location without percent-encoding",
	CodeAcceptsEncoded:    "Ucommerce: the token endpoint also accepts the still-percent-encoded code",
	CodeNotBoundClient:    "a code issued to one client can be redeemed by another (RFC 6749 §4.1.3)",
	CodeNotBoundURI:       "the exchange ignores redirect_uri instead of matching the authorization request (RFC 6749 §4.1.3)",
	RedirectPrefixMatch:   "redirect_uri is matched by prefix instead of exact string (RFC 9700 §2.1)",
	RedirectCaseFold:      "redirect_uri is matched case-insensitively instead of exact string (RFC 9700 §2.1)",
	RedirectOnBadURI:      "an unregistered redirect_uri still gets a 302 to it (RFC 6749 §4.1.2.1 MUST NOT)",
	PKCENotChecked:        "the PKCE code_verifier is not compared with the challenge (RFC 7636 §4.6)",
	PKCEDowngrade:         "a code_verifier is accepted for a code issued without a challenge (RFC 9700 §2.1.1)",
	PKCEPlainAccepted:     "unknown code_challenge_method values are accepted (RFC 7636 §4.4.1)",
	ReplayNoRevoke:        "a replayed code does not revoke the tokens issued from it (RFC 6749 §4.1.2 SHOULD)",
	ErrorNoState:          "authorization error redirects drop the state parameter (RFC 6749 §4.1.2.1)",
	StateNotEchoed:        "the successful authorization redirect drops the state parameter (RFC 6749 §4.1.2 MUST)",
	RefreshNotRotated:     "a used refresh token keeps working after rotation (RFC 9700 §4.14.2)",
	RefreshNotBoundClient: "another client can use a refresh token (RFC 6749 §6)",
	RefreshScopeWiden:     "a refresh may widen the scope beyond the original grant (RFC 6749 §6)",
	RefreshPublicNotBound: "a public client's refresh token is accepted from another client (RFC 6749 §6, §10.4)",
	RefreshStoreNotAtomic: "a get-then-delete refresh store: the token is read and checked, the new tokens minted, then the token rotated out, each step apart, so concurrent refreshes of one token can all succeed (RFC 9700 §4.14.2)",
	TokenTypeCase:         `token_type has the wrong case ("Bearer" for Ucommerce, "bearer" elsewhere)`,
	ExpiresInMismatch:     "expires_in disagrees with the token's real lifetime (JWT exp, Elastic Path expires)",
	ExpiresInString:       "expires_in is sent as a JSON string instead of a number",
	WrongLifetime:         "tokens live twice the documented lifetime (and expires_in says so)",
	NoCacheHeaders:        "token responses lack Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1)",
	TokensNotUnique:       "the same access token is returned for repeated client_credentials requests",
	TokensDeterministic:   "access and refresh tokens are derived from the client, the user, the scope and the second (no random jti, second-resolution times): requests within one second get identical tokens, whatever the grant (RFC 6749 §10.10)",
	MissingRefreshToken:   "password and authorization_code grants return no refresh_token",
	RefreshInCC:           "client_credentials responses carry a refresh_token (RFC 6749 §4.4.3 SHOULD NOT)",
	ImplicitRefresh:       "implicit grant responses carry a refresh_token (RFC 6749 §4.2.2 MUST NOT)",
	ImplicitInQuery:       "the implicit access token is sent in the redirect URI's query instead of its fragment (RFC 6749 §4.2.2)",
	JWTClaimsMissing:      "JWT access tokens lack the vendor's documented claims",
	MalformedJSON:         "successful token responses carry a truncated JSON body (breaks load runs)",
	WrongContentType:      "token responses are labelled text/plain instead of application/json",
	EPIdentifierWrong:     `Elastic Path: identifier is always "client_credentials"`,
	EPExpiresMillis:       "Elastic Path: expires is epoch milliseconds instead of seconds",
	ImplicitCanWrite:      "Elastic Path: an implicit token may write to the catalogue",
	ImplicitReadsOrder:    "Elastic Path: an implicit token alone can read orders",
	CustomerTokenAny:      "Elastic Path: customer and account-member tokens are issued for a wrong password",
	ClientAuthSkipped:     "a wrong client secret is accepted (RFC 6749 §3.2.1)",
	NoBasicChallenge:      "invalid_client via Basic is answered without 401 + WWW-Authenticate (RFC 6749 §5.2)",
	NoBasicAuth:           "HTTP Basic client authentication is refused (RFC 6749 §2.3.1)",
	SecretInQuery:         "client credentials in the URL query are accepted (RFC 6749 §2.3.1 MUST NOT)",
	PasswordAny:           "the password grant accepts a wrong password (RFC 6749 §4.3.2)",
	PasswordAnyClient:     `Shopware: the password grant accepts a client_id other than "administration"`,
	TokenGETAllowed:       "the token endpoint issues tokens for GET requests (RFC 6749 §3.2)",
	DuplicateParams:       "repeated request parameters are accepted (RFC 6749 §3.2)",
	UnknownParamsFatal:    "unknown request parameters are refused instead of ignored (RFC 6749 §3.2)",

	CodeExchangeNoClientAuth: "the code exchange accepts a wrong or missing client secret, or no client authentication (RFC 6749 §3.2.1)",
	RefreshNoClientAuth:      "the refresh_token grant accepts a wrong or missing client secret, or no client authentication (RFC 6749 §3.2.1, §6)",
	PasswordNoClientAuth:     "the password grant accepts a wrong or missing client secret, or no client authentication (RFC 6749 §3.2.1, §4.3.2)",
	RevocationNoClientAuth:   "the revocation endpoint revokes without client authentication (RFC 7009 §2.1)",
	RevocationNotBoundClient: "a client can revoke another client's tokens (RFC 7009 §2.1)",
	PKCEReplacesSecret:       "a confidential client redeems a PKCE code with its client_id and code_verifier but no secret (RFC 6749 §3.2.1)",
	RedirectURIRequired:      "the authorization request is refused without redirect_uri although the client has one registered URI (RFC 6749 §3.1.2.3, §4.1.1 OPTIONAL)",
	ExchangeNeedsRedirectURI: "the code exchange needs redirect_uri although the authorization request had none (RFC 6749 §4.1.3 \"if ... included\")",
	ErrorFormatWrong:         "error bodies are plain text instead of the dialect's JSON error format",
	WrongErrorCode:           "error codes are wrong (invalid_request everywhere; Shopware codes off by one)",
	ErrorStatus200:           "errors are answered with 200 OK",
	MissingParam500:          "a missing required parameter is answered with 500",
	BearerAcceptsExpired:     "protected resources accept expired access tokens",
	BearerAcceptsForged:      "protected resources accept tokens with a bad signature or an unknown value",
	BearerAcceptsRevoked:     "protected resources accept revoked access tokens",
	BearerAcceptsMissing:     "protected resources serve requests that carry no access token at all (RFC 6750 §3)",
	BearerNoChallenge:        "401 answers from protected resources lack WWW-Authenticate: Bearer (RFC 6750 §3)",
	BearerLowercase:          `protected resources refuse the auth scheme unless written exactly "Bearer" (RFC 6750 §2.1)`,
	RevokeNotHonoured:        "the revocation endpoint answers 200 but revokes nothing (RFC 7009 §2.1)",

	IntrospectionOpen:            "the introspection endpoint answers callers that do not authenticate (RFC 7662 §2.1)",
	IntrospectionActiveString:    `introspection answers "active":"true", a string, instead of the boolean true (RFC 7662 §2.2)`,
	IntrospectionInactiveDetails: `an inactive token's introspection answer says more than {"active":false} (RFC 7662 §2.2 SHOULD NOT)`,
	IntrospectionPublicClient:    "a public client, which proves nothing but its client_id, may introspect tokens (RFC 7662 §2.1)",
	IntrospectionAlwaysActive:    "every token introspects as active, unknown, expired, revoked and rotated-out ones too (RFC 7662 §2.2)",

	ConsentSkipped:  "with --login, the code is issued after sign-in without the consent page (RFC 6749 §4.1 (B): the resource owner grants or denies)",
	CSRFUnchecked:   "with --login, the sign-in and consent forms are accepted without or with a wrong CSRF token (RFC 6749 §10.12)",
	LoginBypass:     "with --login, ?user=NAME on the authorization request skips signing in (RFC 6749 §3.1: the server MUST verify the resource owner's identity)",
	SessionFixation: "with --login, the session cookie keeps its value when the resource owner signs in (session fixation; OWASP ASVS 3.2.1: a new session token on authentication)",

	MetadataIssuerMismatch: "the RFC 8414 metadata's issuer differs from the URL it was fetched from (RFC 8414 §3.3 MUST)",
	MetadataDeadEndpoint:   "the RFC 8414 metadata advertises a revocation_endpoint that answers 404 (RFC 8414 §2)",
	MetadataFieldsMissing:  "the RFC 8414 metadata omits the REQUIRED response_types_supported (RFC 8414 §2)",

	KidUnpublished:         "with --signing-alg, access tokens are signed with a key whose kid is not in the JWKS (RFC 7515 §4.1.4, RFC 7517 §4.5)",
	AlgNoneAccepted:        `the protected resource accepts unsigned "alg":"none" tokens (RFC 8725 §2.1, §3.1)`,
	HS256PublicKeyAccepted: "with --signing-alg, the protected resource accepts HS256 tokens keyed with the public key's PEM (alg confusion, RFC 8725 §2.1, §3.1)",

	JWTExpString: `JWT access tokens carry exp as a JSON string ("1700000000") instead of a NumericDate (RFC 7519 §4.1.4)`,
	JWTAudNumber: "JWT access tokens carry aud as the JSON number 5 instead of a string or an array of strings (RFC 7519 §4.1.3)",

	RedirectCheck500: "an authorization request with an unregistered redirect_uri crashes with 500 instead of being refused (RFC 6749 §4.1.2.1; a 5xx is never a correct refusal)",

	RevocationUnknownTokenError: `the revocation endpoint answers a token it does not know with 400 invalid_request instead of 200 (RFC 7009 §2.2: "invalid tokens do not cause an error response"); real tokens are revoked`,

	JWKSPrivateKey:          `with --signing-alg, the JWK Set at jwks_uri publishes the private key members too ("d"; RSA "d", "p", "q") (RFC 7517 §5, RFC 7518 §6.2.2, §6.3.2: a published set holds public keys only)`,
	PKCERequiredNotEnforced: "with --require-pkce, a confidential client's authorization request without a code_challenge still gets a code (RFC 9700 §2.1.1; the server requires PKCE of every client); public clients still need one",
}

// Dialect names, as Defect.Dialects reports them.
const (
	dialectUcommerce   = "ucommerce"
	dialectShopware    = "shopware"
	dialectElasticPath = "elasticpath"
	dialectRFC6749     = "rfc6749"
)

// defectDialects says which dialects each defect changes. A defect leaves the
// others alone because they lack the feature (no authorization code at Shopware
// or Elastic Path, no refresh at Elastic Path, no revocation or introspection but
// at RFC 6749) or
// because the vendor itself behaves that way (Shopware refuses a lowercase
// "bearer" scheme and keeps the last of repeated parameters), or because the
// standard leaves it free (token_type's letter case, the JWT claims of an
// access token, which RFC 6749 treats as opaque). The conformance
// suite's defect test checks this map both ways: each listed dialect's profile
// fails under the defect, and no other profile does.
var defectDialects = func() map[Defect][]string {
	all := []string{dialectElasticPath, dialectRFC6749, dialectShopware, dialectUcommerce}
	code := []string{dialectRFC6749, dialectUcommerce}
	m := map[Defect][]string{
		CodeReusable: code, CodeStoreNotAtomic: code, CodeNeverExpires: code, CodeNotBoundClient: code, CodeNotBoundURI: code,
		RedirectPrefixMatch: code, RedirectCaseFold: code, RedirectOnBadURI: code, ReplayNoRevoke: code, ErrorNoState: code, StateNotEchoed: code,
		CodeNotEncoded:     {dialectUcommerce},
		CodeAcceptsEncoded: {dialectUcommerce},
		PKCENotChecked:     {dialectRFC6749},
		PKCEDowngrade:      {dialectRFC6749},
		PKCEPlainAccepted:  {dialectRFC6749},

		RefreshNotRotated:     {dialectRFC6749, dialectShopware, dialectUcommerce},
		RefreshNotBoundClient: {dialectRFC6749, dialectShopware, dialectUcommerce},
		RefreshScopeWiden:     {dialectRFC6749, dialectShopware},
		RefreshPublicNotBound: {dialectRFC6749, dialectShopware},  // Shopware's "administration" is public
		RefreshNoClientAuth:   {dialectRFC6749, dialectUcommerce}, // Shopware's refresh client is public

		CodeExchangeNoClientAuth: code,
		PasswordNoClientAuth:     {dialectRFC6749}, // Shopware's password client is public
		RevocationNoClientAuth:   {dialectRFC6749},
		RevocationNotBoundClient: {dialectRFC6749},
		PKCEReplacesSecret:       {dialectRFC6749},
		RedirectURIRequired:      {dialectRFC6749},
		ExchangeNeedsRedirectURI: {dialectRFC6749},
		RefreshStoreNotAtomic:    {dialectRFC6749, dialectShopware, dialectUcommerce},

		MissingRefreshToken: {dialectRFC6749, dialectShopware, dialectUcommerce},
		RefreshInCC:         {dialectElasticPath, dialectRFC6749, dialectShopware},
		ImplicitRefresh:     {dialectElasticPath, dialectRFC6749},
		ImplicitInQuery:     {dialectRFC6749},
		JWTClaimsMissing:    {dialectRFC6749, dialectShopware, dialectUcommerce},
		TokenTypeCase:       {dialectElasticPath, dialectShopware, dialectUcommerce}, // RFC 6749 §5.1: any case
		TokensNotUnique:     {dialectElasticPath, dialectRFC6749, dialectShopware},
		TokensDeterministic: {dialectRFC6749, dialectShopware, dialectUcommerce, dialectElasticPath},

		EPIdentifierWrong: {dialectElasticPath}, EPExpiresMillis: {dialectElasticPath}, ImplicitCanWrite: {dialectElasticPath},
		ImplicitReadsOrder: {dialectElasticPath}, CustomerTokenAny: {dialectElasticPath},

		NoBasicChallenge:  {dialectRFC6749, dialectShopware, dialectUcommerce},
		NoBasicAuth:       {dialectRFC6749},
		PasswordAny:       {dialectRFC6749, dialectShopware},
		PasswordAnyClient: {dialectShopware},
		DuplicateParams:   {dialectElasticPath, dialectRFC6749, dialectUcommerce},

		BearerAcceptsRevoked: code,
		BearerNoChallenge:    code,
		BearerLowercase:      {dialectElasticPath, dialectRFC6749, dialectUcommerce},
		RevokeNotHonoured:    {dialectRFC6749},

		IntrospectionOpen: {dialectRFC6749}, IntrospectionActiveString: {dialectRFC6749},
		IntrospectionInactiveDetails: {dialectRFC6749}, IntrospectionAlwaysActive: {dialectRFC6749},
		IntrospectionPublicClient: {dialectRFC6749},

		ConsentSkipped: {dialectRFC6749}, CSRFUnchecked: {dialectRFC6749}, LoginBypass: {dialectRFC6749}, SessionFixation: {dialectRFC6749},
		MetadataIssuerMismatch: {dialectRFC6749}, MetadataDeadEndpoint: {dialectRFC6749}, MetadataFieldsMissing: {dialectRFC6749},
		KidUnpublished: {dialectRFC6749}, AlgNoneAccepted: {dialectRFC6749, dialectShopware, dialectUcommerce}, HS256PublicKeyAccepted: {dialectRFC6749},
		// Only the vendors document JWT access tokens (the rfc6749 profile
		// treats them as opaque), and only Shopware's carry an aud.
		JWTExpString: {dialectShopware, dialectUcommerce}, JWTAudNumber: {dialectShopware},
		RedirectCheck500: code,

		RevocationUnknownTokenError: {dialectRFC6749},
		JWKSPrivateKey:              {dialectRFC6749},
		PKCERequiredNotEnforced:     {dialectRFC6749},
	}
	for d := range defectDocs {
		if m[d] == nil {
			m[d] = all
		}
	}
	return m
}()

// Server modes a defect may need (Defect.Needs).
const (
	NeedsLogin       = "login"        // WithLogin (serve --login)
	NeedsSigningAlg  = "signing-alg"  // WithSigningAlg (serve --signing-alg)
	NeedsRequirePKCE = "require-pkce" // Config.RFC6749.RequirePKCE (serve --require-pkce)
)

// defectNeeds lists the defects that change nothing unless the server runs in a
// mode; New refuses them otherwise.
var defectNeeds = map[Defect]string{
	ConsentSkipped: NeedsLogin, CSRFUnchecked: NeedsLogin, LoginBypass: NeedsLogin, SessionFixation: NeedsLogin,
	KidUnpublished: NeedsSigningAlg, HS256PublicKeyAccepted: NeedsSigningAlg,
	JWKSPrivateKey:          NeedsSigningAlg,
	PKCERequiredNotEnforced: NeedsRequirePKCE,
}

// Needs returns the server mode d needs to change anything (NeedsLogin,
// NeedsSigningAlg, NeedsRequirePKCE), or "" when it works in every mode.
func (d Defect) Needs() string { return defectNeeds[d] }

// Dialects returns the dialects whose behaviour d changes, sorted.
func (d Defect) Dialects() []string { return append([]string(nil), defectDialects[d]...) }

// Defects lists every defect in the catalogue, sorted by name.
func Defects() []Defect {
	out := make([]Defect, 0, len(defectDocs))
	for d := range defectDocs {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Describe returns the one-line description of d, or "" if d is not in the catalogue.
func (d Defect) Describe() string { return defectDocs[d] }

// ParseDefect returns the defect called name, or an error listing the valid names.
func ParseDefect(name string) (Defect, error) {
	d := Defect(strings.TrimSpace(name))
	if _, ok := defectDocs[d]; ok {
		return d, nil
	}
	names := make([]string, 0, len(defectDocs))
	for _, x := range Defects() {
		names = append(names, string(x))
	}
	return "", fmt.Errorf("unknown defect %q (known: %s)", name, strings.Join(names, ", "))
}

// defectSet is an immutable set of enabled defects; the zero value has none.
type defectSet map[Defect]bool

func (s defectSet) has(d Defect) bool { return s[d] }
