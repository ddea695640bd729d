@grant-authorization_code
Feature: Authorization code grant
  As a QA engineer I want the authorization code flow to behave as documented
  (RFC 6749 §4.1; Ucommerce "connect" flow), so that a client can obtain tokens
  without ever seeing the resource owner's password, and a stolen code is useless.

  @rfc6749-4.1.2 @ucommerce-connect @must
  Scenario: Authorization answers 302 with the code in Location
    When the client requests authorization with state "xyz-state"
    Then the authorization server redirects to the registered redirect URI with a code
    And the redirect carries the state "xyz-state"

  @rfc6749-4.1.4 @must
  Scenario: The code is exchanged for tokens
    Given the client has an authorization code
    When the client exchanges the code
    Then the token response is successful

  @ucommerce-code-url-encoded @must
  Scenario: The code in Location is URL-encoded
    Given the profile says the code in Location is URL-encoded
    When the client requests authorization
    Then the authorization server redirects to the registered redirect URI with a code
    And the code in Location is percent-encoded

  @ucommerce-code-url-encoded-raw @must
  Scenario: The still-encoded code is refused
    Given the profile says the code in Location is URL-encoded
    And the client has an authorization code
    When the client exchanges the code still URL-encoded
    Then the token request is refused with "invalid_grant"

  @ucommerce-code-url-encoded-misdecoded @should
  Scenario Outline: A code decoded the wrong way is refused (<decoding>)
    Given the profile says the code in Location is URL-encoded
    And the client has an authorization code
    When the client exchanges the code <decoding>
    Then the token request is refused with "invalid_grant"

    Examples:
      | decoding       |
      | decoded twice  |
      | form-decoded   |

  @rfc6749-4.1.2-expiry @ucommerce-code-expiry @must @slow
  Scenario: The code expires after its documented lifetime
    Given the client has an authorization code
    When the code lifetime passes
    And the client exchanges the code
    Then the token request is refused with "invalid_grant"

  @rfc6749-4.1.2-single-use @must
  Scenario: The code can be used only once
    Given the client has an authorization code
    And the client has exchanged the code
    When the client exchanges the code again
    Then the token request is refused with "invalid_grant"

  @rfc6749-10.5-race @must
  Scenario: Concurrent exchanges of one code: exactly one succeeds
    Given the client has an authorization code
    When 16 exchanges of the code are sent at once
    Then exactly one exchange succeeds and the others are refused with "invalid_grant"

  @rfc6749-4.1.2-replay-revokes @should
  Scenario: Replaying a code revokes the tokens issued from it
    Given the client has an authorization code
    And the client has exchanged the code
    And the "protected" resource accepts the access token
    When the client exchanges the code again
    Then the "protected" resource answers 401 for the access token

  @rfc6749-4.1.3-client @must
  Scenario: The code is bound to the client it was issued to
    Given a second client is configured
    And the client has an authorization code
    When the second client exchanges the code with its own credentials
    Then the token request is refused with "invalid_grant|invalid_client|unauthorized_client"

  @rfc6749-4.1.3-redirect-uri @must
  Scenario: The code is bound to the redirect URI it was issued for
    Given the client has an authorization code
    When the client exchanges the code with a different redirect URI
    Then the token request is refused with "invalid_grant|invalid_request"

  # RFC 6749 §4.1.1 makes redirect_uri OPTIONAL, and §3.1.2.3 obliges the client
  # to send it only when several URIs, part of one or none are registered; no
  # sentence obliges the server to take the one registered URI (OpenID Connect
  # makes redirect_uri REQUIRED), so this is a MAY (an optional feature, never
  # gating), checked only where the profile says the client has one
  # (authorize.redirect_uri_optional).
  @rfc6749-3.1.2.3-one-uri @may
  Scenario: Without redirect_uri, the code goes to the one registered redirect URI
    Given the profile says the client's one redirect URI may be omitted
    And the registered redirect URI gets a code
    When the client requests authorization without redirect_uri
    Then the authorization server redirects to the registered redirect URI with a code

  @rfc6749-4.1.3-redirect-uri-omitted @must
  Scenario: A code requested without redirect_uri is exchanged without it
    Given the profile says the client's one redirect URI may be omitted
    And the client has an authorization code requested without redirect_uri
    When the client exchanges the code without redirect_uri
    Then the token response is successful
