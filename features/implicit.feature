@grant-implicit
Feature: Implicit grant
  A public client gets an access token without a client secret (RFC 6749 §4.2;
  Elastic Path implicit tokens, which are read-only).

  @rfc6749-4.2.2 @elasticpath-implicit @must
  Scenario: An implicit token is issued without a refresh token
    When the client requests a token with the "implicit" grant
    Then the token response is successful
    And the token response carries no refresh token

  @elasticpath-implicit-reads @must
  Scenario: An implicit token can read
    Given the client holds an access token from the "implicit" grant
    Then the "protected" resource accepts the access token

  @elasticpath-implicit-read-only @must
  Scenario: An implicit token cannot write
    Given the profile has a "catalog_write" resource
    And the client holds an access token from the "implicit" grant
    When the client calls the "catalog_write" resource with the access token
    Then the resource answers 403
