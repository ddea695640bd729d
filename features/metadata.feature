Feature: Authorization server metadata (RFC 8414)
  A server that publishes metadata describes itself truthfully: the document
  at the well-known URL built from its issuer names that issuer, has the
  required fields, and every endpoint it advertises is there and answers.

  Background:
    Given the target publishes authorization server metadata

  @rfc8414-2-required @must
  Scenario: The metadata is a JSON object with the required fields
    Then the metadata is a JSON object with the fields RFC 8414 requires

  @rfc8414-3.3-issuer @must
  Scenario: The metadata's issuer is the issuer its URL was built from
    Then the metadata's issuer is identical to the issuer of its URL

  @rfc8414-2-profile @must
  Scenario: The advertised endpoints are the profile's
    Then the endpoints the metadata advertises are the ones the profile names

  @rfc8414-2-endpoints-answer @must
  Scenario: Every advertised endpoint answers
    Then every endpoint the metadata advertises answers a request without credentials

  @rfc8414-2-jwks @must
  Scenario: The advertised jwks_uri serves a JWK Set
    Given the metadata advertises a jwks_uri
    Then the jwks_uri serves a JWK Set with public keys only
