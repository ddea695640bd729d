Feature: JWT access tokens signed with published keys (RFC 7515, RFC 7517, RFC 8725)
  Where the target publishes a JWK Set (token.jwks_uri, or the jwks_uri of
  its metadata), every JWT access token verifies with the key its kid names,
  and the protected resource believes no token whose algorithm its key does
  not fix: neither an unsigned one nor one keyed with the public key.

  @rfc7517-4.5-kid @must
  Scenario: The access token verifies with the key of the JWK Set its kid names
    Given the target publishes a JWK Set
    And the client holds an access token that is a JWT
    Then the access token's signature verifies with the JWK Set

  @rfc8725-3.1-none @must
  Scenario: The protected resource refuses an unsigned token (alg none)
    Given the "protected" resource accepts a fresh access token
    And the access token is a JWT
    When the client calls the "protected" resource with an unsigned copy of the access token
    Then the resource answers 401

  @rfc8725-3.1-hs256-public-key @must
  Scenario: The protected resource refuses an HS256 token keyed with the public key
    Given the target publishes a JWK Set
    And the "protected" resource accepts a fresh access token
    And the access token is a JWT
    When the client calls the "protected" resource with copies of the access token signed HS256 with the public keys
    Then the resource answers 401
