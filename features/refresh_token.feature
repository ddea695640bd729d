@grant-refresh_token
Feature: Refresh token grant with rotation
  A refresh token buys a new access token (RFC 6749 §6); where the vendor documents
  rotation (Shopware, Ucommerce, RFC 9700 §4.14.2) the used one stops working.

  @rfc6749-6 @must
  Scenario: A refresh token gives a new token pair
    Given the client holds a refresh token
    When the client refreshes the token
    Then the token response is successful
    And the token response carries a refresh token as documented

  @rfc9700-4.14.2 @shopware-refresh-rotation @ucommerce-refresh-rotation @must
  Scenario: The used refresh token stops working
    Given the profile documents refresh token rotation
    And the client holds a refresh token
    And the client has refreshed the token
    When the client refreshes with the old refresh token again
    Then the token request is refused with "invalid_grant"

  @rfc6749-6-unknown @must
  Scenario: A made-up refresh token is refused
    Given the client can obtain a "refresh_token" token
    When the client refreshes with a made-up refresh token
    Then the token request is refused with "invalid_grant"

  @rfc6749-6-client-binding @must
  Scenario: A refresh token is bound to its client
    Given a second client is configured
    And the client holds a refresh token
    When the second client refreshes the token with its own credentials
    Then the token request is refused with "invalid_grant|invalid_client|unauthorized_client"

  @rfc6749-6-scope @must
  Scenario: A refresh cannot widen the scope
    Given the profile documents scopes
    And the client holds a refresh token
    When the client refreshes the token asking for a wider scope
    Then the refresh does not widen the scope

  @rfc9700-4.14.2-race @must
  Scenario: Concurrent refreshes of one rotated refresh token: exactly one succeeds
    Given the profile documents refresh token rotation
    And the client holds a refresh token
    When 16 refreshes of the refresh token are sent at once
    Then exactly one refresh succeeds and the others are refused with "invalid_grant"
