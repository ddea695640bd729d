Feature: Token revocation (RFC 7009)
  A client revokes a token it no longer needs; the revocation endpoint answers 200
  even for tokens it does not know. Servers MUST support revoking refresh tokens
  and SHOULD support revoking access tokens (RFC 7009 §2); a server that does not
  revoke access tokens says unsupported_token_type (§2.2.1), and the scenarios
  that need it are skipped with that reason.

  Background:
    Given the profile has a revocation endpoint

  # Any web page answers 200: the control first shows the endpoint revokes.
  @rfc7009-2.2 @must
  Scenario: Revoking an unknown token answers 200
    Given the revocation endpoint is shown to revoke a refresh token
    When the client revokes a made-up token
    Then the revocation response is 200

  @rfc7009-2-refresh-token @must
  Scenario: Revoking a refresh token stops it working
    Given the client holds a refresh token
    When the client revokes the refresh token
    And the client refreshes the token
    Then the token request is refused with "invalid_grant"
