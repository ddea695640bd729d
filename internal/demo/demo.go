// Package demo composes the two vocabularies no other package may know
// together: the reference server's demo configuration (reference.Config:
// stores, integrations, clients, users) and the built-in profiles'
// credential names (profiles/*.yaml credentials sections: client_id,
// other_client_id, customer_email, …).
//
// The reference server stays a leaf that knows only its own configuration
// (its dependency rule, reference/imports_test.go); the harness side (the
// command's --demo-credentials, and the tests of steps, load and the command)
// gets the mapping from here.
package demo

import "github.com/oauthconf/oauthconf/reference"

// Credentials returns the credentials of the built-in profile named
// profileName that c's demo accounts supply, keyed as that profile's
// credentials section names them; an unknown name gets an empty map. The map
// is a fresh one the caller may change.
func Credentials(c reference.Config, profileName string) map[string]string {
	m := map[string]string{}
	switch profileName {
	case "ucommerce":
		ucommerce(c.Ucommerce, m)
	case "shopware":
		shopware(c.Shopware, m)
	case "elasticpath":
		elasticPath(c.ElasticPath, m)
	case "rfc6749":
		rfc6749(c.RFC6749, m)
	}
	return m
}

// For is Credentials of the built-in demo configuration
// (reference.DemoConfig), the one `oauthconf serve` starts without --config.
func For(profileName string) map[string]string {
	return Credentials(reference.DemoConfig(), profileName)
}

// ucommerce: the first store is the client, the second the "other client"
// of the cross-client scenarios.
func ucommerce(c reference.UcommerceConfig, m map[string]string) {
	if len(c.Stores) > 0 {
		s := c.Stores[0]
		m["client_id"], m["client_secret"], m["redirect_uri"] = s.ClientID, s.ClientSecret, s.RedirectURIs[0]
	}
	if len(c.Stores) > 1 {
		s := c.Stores[1]
		m["other_client_id"], m["other_client_secret"] = s.ClientID, s.ClientSecret
	}
	m["signing_key"] = c.SigningKey
}

// shopware: the first integration is the client, the first user the
// password grant's resource owner.
func shopware(c reference.ShopwareConfig, m map[string]string) {
	if len(c.Integrations) > 0 {
		m["client_id"], m["client_secret"] = c.Integrations[0].AccessKeyID, c.Integrations[0].SecretAccessKey
	}
	if len(c.Users) > 0 {
		m["username"], m["password"] = c.Users[0].Username, c.Users[0].Password
	}
}

// elasticPath: the first client, the first customer and the first account
// member (the user tokens the profile's user_tokens section drives).
func elasticPath(c reference.ElasticPathConfig, m map[string]string) {
	if len(c.Clients) > 0 {
		m["client_id"], m["client_secret"] = c.Clients[0].ClientID, c.Clients[0].ClientSecret
	}
	if len(c.Customers) > 0 {
		m["customer_email"], m["customer_password"] = c.Customers[0].Email, c.Customers[0].Password
	}
	if len(c.AccountMembers) > 0 {
		a := c.AccountMembers[0]
		m["password_profile_id"], m["account_username"], m["account_password"] = a.PasswordProfileID, a.Username, a.Password
	}
}

// rfc6749: the first public client with a redirect URI, the first two
// confidential clients (the second is the "other client"), the first user
// and the first scope.
func rfc6749(c reference.RFC6749Config, m map[string]string) {
	var confidential []reference.RFCClient
	for _, cl := range c.Clients {
		if cl.ClientSecret == "" {
			if m["public_client_id"] == "" && len(cl.RedirectURIs) > 0 {
				m["public_client_id"], m["public_redirect_uri"] = cl.ClientID, cl.RedirectURIs[0]
			}
			continue
		}
		confidential = append(confidential, cl)
	}
	if len(confidential) > 0 && len(confidential[0].RedirectURIs) > 0 {
		m["client_id"], m["client_secret"], m["redirect_uri"] = confidential[0].ClientID, confidential[0].ClientSecret, confidential[0].RedirectURIs[0]
	}
	if len(confidential) > 1 {
		m["other_client_id"], m["other_client_secret"] = confidential[1].ClientID, confidential[1].ClientSecret
	}
	if len(c.Users) > 0 {
		m["username"], m["password"] = c.Users[0].Username, c.Users[0].Password
	}
	if len(c.Scopes) > 0 {
		m["scope"] = c.Scopes[0]
	}
	m["signing_key"] = c.SigningKey
}
