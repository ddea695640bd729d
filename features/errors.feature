Feature: Token endpoint errors and request handling
  Bad token requests are refused in the vendor's documented error format with the
  right status (RFC 6749 §5.2), and the token endpoint follows RFC 6749 §2.3 and §3.2.

  @rfc6749-5.2-unsupported-grant @must
  Scenario: An unsupported grant type is refused
    Given the client can obtain a token
    When the client requests a token with grant_type "urn:oauthconf:no-such-grant"
    Then the token request is refused with "unsupported_grant_type"

  @rfc6749-5.2-no-grant-type @must
  Scenario: A request without grant_type is refused
    Given the client can obtain a token
    When the client requests a token without grant_type
    Then the token request is refused with "invalid_request|unsupported_grant_type"

  @rfc6749-5.2-missing-param @must
  Scenario Outline: A token request for the <grant> grant without <param> is refused
    Given the target supports the "<grant>" grant at the token endpoint
    And the client can obtain a "<grant>" token
    When the client requests a "<grant>" token without the "<param>" parameter
    Then the token request is refused with "invalid_request"

    Examples:
      | grant              | param         |
      | authorization_code | code          |
      | password           | username      |
      | refresh_token      | refresh_token |
      | implicit           | client_id     |

  @rfc6749-5.2-basic-challenge @must
  Scenario: A wrong client secret via HTTP Basic gets 401 with a Basic challenge
    Given the profile authenticates clients with HTTP Basic
    And the client can obtain a token
    When the client requests a token with a wrong client secret via HTTP Basic
    Then the token request is refused with "invalid_client"
    And the response is 401 with a "Basic" WWW-Authenticate challenge

  @rfc6749-2.3.1-basic @must
  Scenario: HTTP Basic client authentication is supported
    Given the profile authenticates clients with HTTP Basic
    When the client requests a token with its own client authentication
    Then the token response is successful

  # RFC 6749 §2.3.1 says the client's credentials MUST NOT be included in the
  # request URI: a rule on the message, not an obligation on the server to
  # refuse one that breaks it, so refusing them is checked as a SHOULD.
  @rfc6749-2.3.1-query @should
  Scenario: Client credentials in the query string are refused
    Given the profile has a client secret
    And the client can obtain a token
    When the client requests a token with its client credentials in the query string
    Then the token request is refused

  # RFC 6749 §3.2: "The client MUST use the HTTP POST method": like the two
  # rules around it, a rule on the client's message; refusing GET is a SHOULD.
  @rfc6749-3.2-post @should
  Scenario: GET on the token endpoint is refused
    Given the client can obtain a token
    When the client requests a token with GET
    Then the response is a 4xx without an access token

  # RFC 6749 §3.2 forbids repeated parameters in the message, and §5.2 names
  # invalid_request for them; no sentence obliges the server to detect them,
  # so refusing them is checked as a SHOULD (a profile may raise it).
  @rfc6749-3.2-repeated @should
  Scenario: A repeated parameter is refused
    Given the profile sends form-encoded token requests
    And the client can obtain a token
    When the client requests a token with the grant_type parameter repeated
    Then the token request is refused with "invalid_request"

  @rfc6749-3.2-unknown-params @must
  Scenario: Unknown parameters are ignored
    When the client requests a token with an unknown parameter
    Then the token response is successful
