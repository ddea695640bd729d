@grant-implicit
Feature: Customer and account-member tokens used with the implicit token
  Elastic Path: a shopper's implicit token alone cannot read orders; adding a
  customer token (X-Moltin-Customer-Token) or an account-member token
  (EP-Account-Management-Authentication-Token) unlocks them.

  Background:
    Given the profile has an "orders" resource
    And the client holds an access token from the "implicit" grant

  @elasticpath-implicit-read-only @must
  Scenario: The implicit token alone cannot read orders
    When the client calls the "orders" resource with the access token
    Then the resource answers 403

  @elasticpath-customer-token @must
  Scenario: A customer token with the implicit token reads orders
    Given the client has a customer token
    When the client calls the "orders" resource with the access token and the customer token
    Then the resource answers 200

  @elasticpath-customer-token-password @must
  Scenario: A customer token needs the right password
    Given the client has a customer token
    When the client requests a customer token with a wrong password
    Then the user token request is refused

  @elasticpath-account-token @must
  Scenario: An account-member token with the implicit token reads orders
    Given the client has an account-member token
    When the client calls the "orders" resource with the access token and the account-member token
    Then the resource answers 200

  @elasticpath-account-token-password @must
  Scenario: An account-member token needs the right password
    Given the client has an account-member token
    When the client requests an account-member token with a wrong password
    Then the user token request is refused
