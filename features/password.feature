@grant-password
Feature: Resource owner password credentials grant
  A trusted client exchanges a user's name and password for tokens (RFC 6749 §4.3;
  Shopware Admin API with client_id "administration").

  @rfc6749-4.3.3 @must
  Scenario: Valid user credentials give tokens
    When the client requests a token with the "password" grant
    Then the token response is successful
    And the token response carries a refresh token as documented

  @rfc6749-4.3.2-wrong-password @must
  Scenario: A wrong password is refused
    Given the client can obtain a "password" token
    When the client requests a "password" token with a wrong password
    Then the token request is refused with "invalid_grant"

  @shopware-password-client @must
  Scenario: An unregistered client is refused
    Given the client can obtain a "password" token
    When an unregistered client requests a "password" token
    Then the token request is refused
