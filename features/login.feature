@grant-authorization_code
Feature: Sign-in and consent before the code
  Before it issues a code the authorization server authenticates the resource owner and
  establishes whether they grant or deny the client's request (RFC 6749 §4.1 (B)). It MUST
  first verify the resource owner's identity (§3.1), MUST protect its authorization endpoint
  against cross-site request forgery, and no client may obtain authorization without the
  resource owner's awareness and explicit consent (§10.12). The suite drives the server's own
  sign-in and consent pages as the resource owner's user agent; these scenarios run when the
  profile describes them (authorize.login).

  @rfc6749-3.1-verify-identity @must
  Scenario: Naming the resource owner in the request does not sign them in
    Given the profile has a login section
    And the registered redirect URI gets a code
    When the client requests authorization naming the resource owner, who gives a wrong password
    Then no code is issued

  @rfc6749-10.12-consent @must
  Scenario: A resource owner who denies consent gets no code
    Given the profile has a login section
    And the registered redirect URI gets a code
    When the resource owner signs in and denies consent
    Then no code is issued

  @rfc6749-10.12-csrf @must
  Scenario: Sign-in and consent forms with a forged CSRF token get no code
    Given the profile has a login section
    And the registered redirect URI gets a code
    When the resource owner signs in with forged hidden form fields
    Then no code is issued

  @asvs-3.2.1-new-session @should
  Scenario: Signing in renews the session cookie
    Given the profile has a login section
    When the resource owner signs in
    Then the session cookie set before the sign-in is replaced
