@grant-client_credentials
Feature: Client credentials grant
  A confidential client obtains a token for itself (RFC 6749 §4.4; Shopware
  integrations, Elastic Path client_credentials tokens).

  @rfc6749-4.4.2 @must
  Scenario: The client obtains a token with its credentials
    When the client requests a token with the "client_credentials" grant
    Then the token response is successful

  @rfc6749-4.4.3 @should
  Scenario: No refresh token is issued
    When the client requests a token with the "client_credentials" grant
    Then the token response is successful
    And the token response carries no refresh token

  @rfc6749-4.4 @must
  Scenario: A public client cannot use the client credentials grant
    Given a public client is configured
    And the client can obtain a "client_credentials" token
    When the public client requests a "client_credentials" token
    Then the token request is refused with "unauthorized_client|invalid_client"
