package useragent

import (
	"fmt"
	"net/url"

	"github.com/oauthconf/oauthconf/internal/httpx"
)

// parseOrigins parses Config.AllowedOrigins: each an absolute http or https
// URL, of which only the origin counts.
func parseOrigins(list []string) ([]httpx.Origin, error) {
	var out []httpx.Origin
	for _, s := range list {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("useragent: allowed origin %q is not an http or https origin such as https://login.example.com", s)
		}
		out = append(out, httpx.OriginOf(u))
	}
	return out, nil
}

// withoutQuery returns u's scheme, host and path only: how a refused target is
// named, since its query may carry a code or a token meant for someone else.
func withoutQuery(u *url.URL) string {
	v := *u
	v.RawQuery, v.Fragment, v.RawFragment, v.User = "", "", "", nil
	v.ForceQuery = false
	return v.String()
}
