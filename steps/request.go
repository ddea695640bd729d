package steps

import (
	"context"
	"net/url"

	"github.com/oauthconf/oauthconf/profile"
)

// clientCreds is a client identity used for one request.
type clientCreds struct {
	id, secret string
	public     bool
}

func (s *scenario) mainClient() clientCreds {
	id, _ := s.t.creds.Get("client_id")
	secret, _ := s.t.creds.Get("client_secret")
	return clientCreds{id: id, secret: secret}
}

// otherClient is the second confidential client, if the credentials name one.
func otherClient(c profile.Credentials) (clientCreds, bool) {
	id, _ := c.Get("other_client_id")
	secret, _ := c.Get("other_client_secret")
	return clientCreds{id: id, secret: secret}, id != ""
}

// publicClient is the public client and its redirect URI, if configured.
func publicClient(c profile.Credentials) (clientCreds, string, bool) {
	id, _ := c.Get("public_client_id")
	ru, _ := c.Get("public_redirect_uri")
	return clientCreds{id: id, public: true}, ru, id != "" && ru != ""
}

// reqMod changes a profile-built token request for a negative test.
type reqMod struct {
	extra  map[string]string // parameters to add or override ("" removes)
	client *clientCreds      // authenticate as this client instead
	auth   string            // force a client authentication method (basic, body, none)
	method string            // default POST
	query  url.Values        // added to the URL
	// rawCode replaces the code in a form body verbatim (not form-encoded).
	rawCode string
	// noClientAuth drops the client credentials from header and body.
	noClientAuth bool
}

// options translates m into the profile request builder's options.
func (m reqMod) options() []profile.RequestOption {
	var opts []profile.RequestOption
	if m.client != nil {
		opts = append(opts, m.client.option())
	}
	if m.auth != "" {
		opts = append(opts, profile.WithAuth(m.auth))
	}
	if m.noClientAuth {
		opts = append(opts, profile.WithoutClientAuth())
	}
	for k, v := range m.extra {
		if v == "" {
			opts = append(opts, profile.WithoutParam(k))
		} else {
			opts = append(opts, profile.WithParam(k, v))
		}
	}
	if m.rawCode != "" {
		opts = append(opts, profile.WithRawParam("code", m.rawCode))
	}
	if m.method != "" {
		opts = append(opts, profile.WithMethod(m.method))
	}
	if len(m.query) > 0 {
		opts = append(opts, profile.WithQuery(m.query))
	}
	return opts
}

// option names cl to the profile request builder.
func (cl clientCreds) option() profile.RequestOption {
	if cl.public {
		return profile.WithPublicClient(cl.id)
	}
	return profile.WithClient(cl.id, cl.secret)
}

// buildToken builds the token request for grant g from the profile, changed
// by m (profile.NewTokenRequest).
func (s *scenario) buildToken(g string, m reqMod) (*profile.TokenRequest, error) {
	return s.t.p.NewTokenRequest(g, s.t.creds, m.options()...)
}

// tokenRequest is a token request and the grant it was built for.
type tokenRequest struct {
	*profile.TokenRequest
	grant string
}

// tokenRequest builds the token request for grant g, modified by m (buildToken).
func (s *scenario) tokenRequest(g string, m reqMod) (*tokenRequest, error) {
	tr, err := s.buildToken(g, m)
	if err != nil {
		return nil, err
	}
	return &tokenRequest{TokenRequest: tr, grant: g}, nil
}

// sendToken sends a token request and makes its response the one Then steps
// check, remembering the grant it was for.
func (s *scenario) sendToken(ctx context.Context, tr *tokenRequest) (*Exchange, error) {
	ex, err := s.send(ctx, tr.Method, tr.Path, tr.Header, tr.Body)
	s.last, s.tok.sent = ex, tr.grant
	return ex, err
}
