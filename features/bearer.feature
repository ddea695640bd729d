Feature: Bearer token usage on the protected resource
  The vendor's protected resource accepts a valid access token in the
  Authorization header and refuses every other (RFC 6750 §2.1, §3).

  @rfc6750-2.1 @must
  Scenario: A valid access token is accepted
    Given the client holds an access token for the "protected" resource
    Then the "protected" resource accepts the access token

  @rfc6750-2.1-scheme-case @should
  Scenario: The Bearer scheme is case-insensitive
    Given the client holds an access token for the "protected" resource
    When the client calls the "protected" resource with the scheme written "bearer"
    Then the resource answers the documented success status

  @rfc6750-3-refused @must
  Scenario: A request without a token is refused
    Given the "protected" resource accepts a fresh access token
    When the client calls the "protected" resource without a token
    Then the resource answers 401

  @rfc6750-3-challenge @must
  Scenario: A request without a token gets a Bearer challenge without an error code
    Given the profile documents Bearer challenges on the "protected" resource
    And the "protected" resource accepts a fresh access token
    When the client calls the "protected" resource without a token
    Then the resource answers 401
    And the answer carries a Bearer challenge without an error code

  @rfc6750-3.1-malformed @must
  Scenario: A malformed token is refused
    Given the "protected" resource accepts a fresh access token
    When the client calls the "protected" resource with a malformed token
    Then the resource answers 401

  @rfc6750-3.1-forged @must
  Scenario: A forged token is refused
    Given the "protected" resource accepts a fresh access token
    When the client calls the "protected" resource with a forged copy of the access token
    Then the resource answers 401

  # RFC 6750 §3: a request whose token failed authentication SHOULD carry the
  # "error" attribute; the challenge itself (a MUST) is checked without a token.
  @rfc6750-3.1-invalid-token @should
  Scenario: An invalid token gets a Bearer challenge with invalid_token
    Given the profile documents Bearer challenges on the "protected" resource
    And the "protected" resource accepts a fresh access token
    When the client calls the "protected" resource with a forged copy of the access token
    Then the resource answers 401
    And the answer carries a Bearer challenge with error "invalid_token"

  @rfc6750-3.1-expired @must @slow
  Scenario: An expired token is refused
    Given the "protected" resource accepts a fresh access token
    When the access token lifetime passes
    Then the "protected" resource answers 401 for the access token

  # RFC 7009 revocation only: revoking by a code replay is
  # authorization_code.feature's replay check (one root cause, counted once).
  @rfc7009-2-access-token @should
  Scenario: A revoked token is refused
    Given the profile has a revocation endpoint
    And the client holds an access token for the "protected" resource
    And the "protected" resource accepts the access token
    When the access token is revoked
    Then the "protected" resource answers 401 for the access token
