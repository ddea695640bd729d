Feature: Token response shape
  Every successful token response has the fields the vendor documents, with the
  documented JSON types and literals (RFC 6749 §5.1 and each vendor's example
  response), and is never cached.

  @rfc6749-5.1 @must
  Scenario Outline: The <grant> token response has the documented fields and types
    Given the target supports the "<grant>" grant
    When the client obtains a token with the "<grant>" grant
    Then the token response is JSON
    And the token response has the documented fields and JSON types

    Examples:
      | grant              |
      | authorization_code |
      | client_credentials |
      | password           |
      | refresh_token      |
      | implicit           |

  @vendor-token-type @must
  Scenario Outline: The <grant> token_type is the documented literal
    Given the target supports the "<grant>" grant
    When the client obtains a token with the "<grant>" grant
    Then token_type is the documented literal

    Examples:
      | grant              |
      | authorization_code |
      | client_credentials |
      | password           |
      | refresh_token      |
      | implicit           |

  @vendor-expires-in @must
  Scenario Outline: The <grant> expires_in is the documented lifetime
    Given the target supports the "<grant>" grant
    When the client obtains a token with the "<grant>" grant
    Then expires_in is the documented lifetime
    And the access token's lifetime agrees with expires_in

    Examples:
      | grant              |
      | authorization_code |
      | client_credentials |
      | password           |
      | refresh_token      |
      | implicit           |

  @vendor-jwt-claims @must
  Scenario Outline: The <grant> JWT access token carries the documented claims
    Given the target supports the "<grant>" grant
    And the profile says access tokens are JWTs
    When the client obtains a token with the "<grant>" grant
    Then the access token carries the documented claims

    Examples:
      | grant              |
      | authorization_code |
      | client_credentials |
      | password           |
      | refresh_token      |

  @elasticpath-identifier @must
  Scenario Outline: The <grant> identifier names the grant
    Given the target supports the "<grant>" grant
    And the profile documents an identifier for the "<grant>" grant
    When the client obtains a token with the "<grant>" grant
    Then the identifier field is the documented one

    Examples:
      | grant              |
      | client_credentials |
      | implicit           |

  @rfc6749-5.1-no-store @must
  Scenario Outline: The <grant> token response is not cacheable
    Given the target supports the "<grant>" grant
    When the client obtains a token with the "<grant>" grant
    Then the token response has Cache-Control no-store and Pragma no-cache

    Examples:
      | grant              |
      | authorization_code |
      | client_credentials |
      | password           |
      | refresh_token      |

  @token-unique @must
  Scenario Outline: Tokens of the <grant> grant issued within one second are all different
    Given the target supports the "<grant>" grant
    When the client obtains 3 tokens with the "<grant>" grant at once
    Then all access tokens and refresh tokens are different

    Examples:
      | grant              |
      | authorization_code |
      | client_credentials |
      | password           |
      | refresh_token      |
      | implicit           |
