package steps

import (
	"context"
	"net/http"
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
	// rawAppend is appended verbatim to a form body (repeated parameters).
	rawAppend string
	// rawCode replaces the code in a form body verbatim (not form-encoded).
	rawCode string
	// noClientAuth drops the client credentials from header and body.
	noClientAuth bool
}

// buildToken builds the token request for grant g from the profile
// (profile.BuildTokenRequest), then applies m.
func (s *scenario) buildToken(g string, m reqMod) (*profile.TokenRequest, error) {
	tr, err := s.t.p.BuildTokenRequest(g, s.t.creds, nil)
	if err != nil {
		return nil, err
	}
	params := tr.Params
	method := s.t.p.ClientAuthFor(g)
	if m.auth != "" {
		method = m.auth
	}
	cl := s.mainClient()
	if m.client != nil {
		cl = *m.client
		switch {
		case cl.public:
			method = profile.ClientAuthNone
		case method == profile.ClientAuthNone && cl.secret != "":
			// The grant needs no client authentication (Shopware's refresh as
			// "administration"), but another confidential client presents
			// its own credentials the way the token endpoint takes them.
			method = s.t.p.Token.ClientAuth
			if method == profile.ClientAuthNone || method == "" {
				method = profile.ClientAuthBody
			}
		}
	}
	// Re-apply client authentication: BuildTokenRequest placed the main
	// client's credentials per the profile; replace them.
	declared := s.t.p.Grants[g].Params
	if _, fixed := declared["client_id"]; !fixed || m.client != nil {
		delete(params, "client_id")
	}
	delete(params, "client_secret")
	tr.Header.Del("Authorization")
	if !m.noClientAuth {
		switch method {
		case profile.ClientAuthBasic:
			tr.Header.Set("Authorization", profile.BasicAuth(cl.id, cl.secret))
		case profile.ClientAuthBody:
			if _, ok := params["client_id"]; !ok {
				params["client_id"] = cl.id
			}
			if cl.secret != "" {
				params["client_secret"] = cl.secret
			}
		case profile.ClientAuthNone:
			if _, ok := params["client_id"]; !ok && cl.id != "" {
				params["client_id"] = cl.id
			}
		}
	} else if _, fixed := declared["client_id"]; !fixed {
		delete(params, "client_id")
	}
	applyExtra(params, m.extra)
	tr.Body, _ = profile.EncodeBody(s.t.p.Token.Encoding, params)
	if m.rawCode != "" && s.t.p.Token.Encoding == profile.EncodingForm {
		delete(params, "code")
		body, _ := profile.EncodeBody(profile.EncodingForm, params)
		tr.Body = append(body, []byte("&code="+m.rawCode)...)
		params["code"] = m.rawCode
	}
	if m.rawAppend != "" {
		tr.Body = append(append(tr.Body, '&'), m.rawAppend...)
	}
	if m.method != "" {
		tr.Method = m.method
	}
	if len(m.query) > 0 {
		tr.Path += "?" + m.query.Encode()
	}
	if tr.Method == http.MethodGet {
		asQuery(tr, s.t.p.Token.Path, params)
	}
	tr.Params = params
	return tr, nil
}

// applyExtra sets each extra parameter, removing those whose value is "".
func applyExtra(params, extra map[string]string) {
	for k, v := range extra {
		if v == "" {
			delete(params, k)
		} else {
			params[k] = v
		}
	}
}

// asQuery moves the parameters of a GET token request into its query, at path.
func asQuery(tr *profile.TokenRequest, path string, params map[string]string) {
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	tr.Path = path + "?" + q.Encode()
	tr.Body = nil
	tr.Header.Del("Content-Type")
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
