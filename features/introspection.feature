Feature: Token introspection (RFC 7662)
  A protected resource asks the authorization server whether a token is live. The
  endpoint requires client authentication, says "active": true only for live
  tokens, and tells nothing about the others. The negative checks ask about a
  token the server first said is active: the access token, or the refresh token
  where the server does not introspect (self-contained) access tokens.

  Background:
    Given the profile has an introspection endpoint

  @rfc7662-2.2-access-token @must
  Scenario: A live access token introspects as active
    Given the client holds an access token for introspection
    When the client introspects the access token
    Then the introspection says the token is active

  # RFC 7662 §2.1: the token may be a refresh token, but which tokens a server
  # introspects is its choice (§2.2: "not allowed to introspect this particular
  # token" answers inactive), so this is a MAY: reported, never gating.
  @rfc7662-2.2-refresh-token @may
  Scenario: A live refresh token introspects as active
    Given the client holds a refresh token
    When the client introspects the refresh token
    Then the introspection says the token is active

  @rfc7662-2.1-no-auth @must
  Scenario: Introspection without client authentication is refused
    Given the client holds a token that introspects as active
    When the client introspects that token without client authentication
    Then the introspection is refused

  @rfc7662-2.1-public-client @must
  Scenario: A public client cannot introspect
    Given a public client is configured
    And the client holds a token that introspects as active
    When the public client introspects that token
    Then the introspection is refused

  @rfc7662-2.3 @must
  Scenario: Introspection with a wrong client secret is refused with 401
    Given the profile has a client secret
    And the client holds a token that introspects as active
    When the client introspects that token with a wrong client secret
    Then the introspection answers 401

  @rfc7662-2.2-unknown @must
  Scenario: A made-up token introspects as inactive
    Given the client holds a token that introspects as active
    When the client introspects a made-up token
    Then the introspection says the token is inactive

  @rfc7662-2.2-revoked @must
  Scenario: A revoked refresh token introspects as inactive
    Given the profile has a revocation endpoint
    And the client holds a refresh token
    And the refresh token introspects as active
    When the client revokes the refresh token
    And the client introspects the refresh token
    Then the introspection says the token is inactive

  @rfc7662-2.2-rotated @must
  Scenario: A rotated-out refresh token introspects as inactive
    Given the profile documents refresh token rotation
    And the client holds a refresh token
    And the refresh token introspects as active
    When the client refreshes the token
    And the client introspects the old refresh token
    Then the introspection says the token is inactive

  @rfc7662-2.2-expired @must @slow
  Scenario: An expired access token introspects as inactive
    Given the client holds an access token for introspection
    And the access token introspects as active
    When the access token lifetime passes
    And the client introspects the access token
    Then the introspection says the token is inactive

  @rfc7662-2.2-inactive-only @should
  Scenario: The answer for an inactive token says nothing more
    Given the client holds a token that introspects as active
    When the client introspects a made-up token
    Then the introspection answer says nothing but "active": false
