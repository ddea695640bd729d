Feature: Client authentication on every request that authenticates
  A confidential client authenticates on every token request, whatever the grant
  (RFC 6749 §3.2.1, §2.3.1), and on revocation (RFC 7009 §2.1) and introspection
  (RFC 7662 §2.1) requests. A wrong secret, the client_id without its secret, or no
  client authentication at all is refused, with invalid_client where the client
  tried to authenticate (RFC 6749 §5.2). Each check first makes the same request
  with the client's own authentication, placed as the profile says (HTTP Basic,
  or client_id and client_secret in the form or JSON body); a grant the profile
  makes with a public client (client_auth: none) is not applicable.

  # §5.2 names invalid_client for "no client authentication included"; a
  # request with no credentials at all may be taken as malformed
  # (invalid_request) or as a client the grant is not for (unauthorized_client).
  # Shopware answers a client_credentials request without client_secret with
  # League's unsupported_grant_type (docs/vendors.md §2): still a refusal.
  @rfc6749-3.2.1-client-credentials @must
  Scenario Outline: A client_credentials request with <fault> is refused
    Given the client can make the "client_credentials" request with its own client authentication
    When the client makes the "client_credentials" request with <fault>
    Then the token request is refused with "<error>"

    Examples:
      | fault                       | error                                                                  |
      | a wrong client secret       | invalid_client                                                         |
      | its client_id but no secret | invalid_client\|invalid_request\|unauthorized_client\|unsupported_grant_type |
      | no client authentication    | invalid_client\|invalid_request\|unauthorized_client                   |

  @rfc6749-3.2.1-code-exchange @must
  Scenario Outline: A code exchange with <fault> is refused
    Given the client can make the "authorization_code" request with its own client authentication
    When the client makes the "authorization_code" request with <fault>
    Then the token request is refused with "<error>"

    Examples:
      | fault                       | error                                                |
      | a wrong client secret       | invalid_client                                       |
      | its client_id but no secret | invalid_client\|invalid_request\|unauthorized_client |
      | no client authentication    | invalid_client\|invalid_request\|unauthorized_client |

  @rfc6749-3.2.1-refresh @must
  Scenario Outline: A refresh with <fault> is refused
    Given the client can make the "refresh_token" request with its own client authentication
    When the client makes the "refresh_token" request with <fault>
    Then the token request is refused with "<error>"

    Examples:
      | fault                       | error                                                |
      | a wrong client secret       | invalid_client                                       |
      | its client_id but no secret | invalid_client\|invalid_request\|unauthorized_client |
      | no client authentication    | invalid_client\|invalid_request\|unauthorized_client |

  @rfc6749-3.2.1-password @must
  Scenario Outline: A password grant request with <fault> is refused
    Given the client can make the "password" request with its own client authentication
    When the client makes the "password" request with <fault>
    Then the token request is refused with "<error>"

    Examples:
      | fault                       | error                                                |
      | a wrong client secret       | invalid_client                                       |
      | its client_id but no secret | invalid_client\|invalid_request\|unauthorized_client |
      | no client authentication    | invalid_client\|invalid_request\|unauthorized_client |

  @rfc7009-2.1-client-auth @must
  Scenario Outline: A revocation request with <fault> is refused
    Given the profile has a revocation endpoint
    And the client can make the "revocation" request with its own client authentication
    When the client makes the "revocation" request with <fault>
    Then the revocation request is refused with "<error>"

    Examples:
      | fault                       | error                                                |
      | a wrong client secret       | invalid_client                                       |
      | its client_id but no secret | invalid_client\|invalid_request\|unauthorized_client |
      | no client authentication    | invalid_client\|invalid_request\|unauthorized_client |

  # introspection.feature checks the wrong secret (401, RFC 7662 §2.3) and no
  # client authentication; this is the confidential client's id alone.
  @rfc7662-2.1-no-auth @must
  Scenario: Introspection with the client_id but no secret is refused
    Given the profile has an introspection endpoint
    And the client can make the "introspection" request with its own client authentication
    When the client makes the "introspection" request with its client_id but no secret
    Then the introspection is refused

  # RFC 7636 adds a proof of possession for the code; it is no client
  # authentication, and RFC 6749 §3.2.1 makes no exception for it.
  @rfc6749-3.2.1-pkce @must
  Scenario: A confidential client's PKCE code is not redeemed without its secret
    Given the profile supports PKCE
    And the client can redeem a code issued with an S256 challenge
    And the client has an authorization code issued with an S256 challenge
    When the client exchanges the code with the right code verifier but no client secret
    Then the token request is refused with "invalid_client|invalid_request|unauthorized_client"

  # The other direction, a confidential client's refresh token presented by
  # another confidential client, is refresh_token.feature's binding check.
  @rfc6749-6-public-client-binding @must
  Scenario: A public client's refresh token is refused to another client
    Given a public client is configured
    And the public client holds a refresh token it can refresh
    When the client refreshes the public client's refresh token with its own credentials
    Then the token request is refused with "invalid_grant|invalid_client|unauthorized_client"

  # RFC 7009 §2.1: the server "verifies whether the token was issued to the
  # client making the revocation request". The answer may be an error or, as
  # for an invalid token, 200 (§2.2); what counts is that the token still works.
  @rfc7009-2.1-client-binding @must
  Scenario: Another client cannot revoke the client's refresh token
    Given the profile has a revocation endpoint
    And a second client is configured
    And the client's own revocation of a refresh token stops it working
    And the client holds a refresh token
    When the second client revokes the refresh token with its own credentials
    Then the refresh token still works
