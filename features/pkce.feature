@grant-authorization_code
Feature: PKCE (RFC 7636, RFC 9700 §2.1.1)
  A code issued with a code_challenge is redeemed only with the matching
  code_verifier, and a verifier never turns a plain code into a PKCE code.
  The PKCE client is the one authorize.pkce_client names: by default the
  public client when one is configured, else the confidential client.

  Background:
    Given the profile supports PKCE

  @rfc7636-4.6-s256 @must
  Scenario: The right S256 verifier redeems the code
    Given the PKCE client has an authorization code issued with an S256 challenge
    When the PKCE client exchanges the code with the right code verifier
    Then the token response is successful

  @rfc7636-4.6-wrong-verifier @must
  Scenario: A wrong code verifier is refused
    Given the PKCE client has an authorization code issued with an S256 challenge
    When the PKCE client exchanges the code with a wrong code verifier
    Then the token request is refused with "invalid_grant"

  @rfc7636-4.6-missing-verifier @must
  Scenario: A missing code verifier is refused
    Given the PKCE client has an authorization code issued with an S256 challenge
    When the PKCE client exchanges the code without a code verifier
    Then the token request is refused with "invalid_grant|invalid_request"

  @rfc9700-2.1.1-downgrade @must
  Scenario: A code verifier for a code issued without a challenge is refused
    Given the client has an authorization code
    When the client exchanges the code with a code verifier
    Then the token request is refused with "invalid_grant|invalid_request"

  @rfc9700-2.1.1-required @must
  Scenario: Where PKCE is required, a code request without a challenge is refused
    Given the profile requires PKCE of every client
    And the client has an authorization code
    When the client requests authorization without a code challenge
    Then the authorization request is refused with "invalid_request"

  @rfc7636-4.4.1 @must
  Scenario: An unsupported code challenge method is refused
    Given the PKCE client has an authorization code issued with an S256 challenge
    When the PKCE client requests authorization with code_challenge_method "foo"
    Then the authorization request is refused with "invalid_request"
