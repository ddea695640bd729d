@grant-authorization_code
Feature: Redirect URI whitelist
  The authorization server compares redirect_uri with the registered values by exact
  string match (RFC 6749 §3.1.2.3, RFC 9700 §2.1; Ucommerce "URL Whitelist") and never
  redirects the user agent to a URI it does not know (RFC 6749 §4.1.2.1).

  @rfc9700-2.1-exact-match @ucommerce-redirect-whitelist @must
  Scenario Outline: A redirect URI with <mutation> is refused
    Given the registered redirect URI gets a code
    When the client requests authorization with the redirect URI changed by "<mutation>"
    Then the authorization server does not redirect and issues no code

    Examples:
      | mutation       |
      | extra path     |
      | extra query    |
      | trailing slash |
      | upper case     |
      | explicit port  |
      | subdomain      |
      | userinfo       |

  @rfc6749-4.1.2.1-no-redirect @must
  Scenario: An unregistered redirect URI gets no redirect
    Given the registered redirect URI gets a code
    When the client requests authorization with an unregistered redirect URI
    Then the authorization server does not redirect and issues no code

  @rfc6749-4.1.2.1-unknown-client @must
  Scenario: An unknown client gets no redirect
    Given the registered redirect URI gets a code
    When an unknown client requests authorization
    Then the authorization server does not redirect and issues no code

  @rfc6749-4.1.2.1-error-redirect @must
  Scenario: Other authorization errors are redirected with the state
    When the client requests authorization with response_type "bogus" and state "oauthconf-state-42"
    Then the authorization server redirects to the registered redirect URI with error "unsupported_response_type"
    And the redirect carries the state "oauthconf-state-42"
