package useragent

import (
	"net/url"
	"strings"

	"github.com/oauthconf/oauthconf/internal/httpx"
)

// referrerHeaders returns the Referer and (for a POST) Origin headers a
// browser sends for a navigation from page ref to target under referrer
// policy (the Referrer-Policy header of the page or redirect that led there;
// W3C Referrer Policy §3 and Fetch "append a request Origin header"). ""
// means no header. The default policy is strict-origin-when-cross-origin.
func referrerHeaders(ref, target *url.URL, policy string) (referer, origin string) {
	full := *ref
	full.Fragment, full.RawFragment, full.User = "", "", nil
	o := httpx.OriginOf(ref).Serialize()
	same := httpx.OriginOf(ref) == httpx.OriginOf(target)
	downgrade := strings.EqualFold(ref.Scheme, "https") && !strings.EqualFold(target.Scheme, "https")
	pick := func(cond bool, yes, no string) string {
		if cond {
			return yes
		}
		return no
	}
	switch lastPolicy(policy) {
	case "no-referrer":
		return "", "null"
	case "no-referrer-when-downgrade":
		return pick(downgrade, "", full.String()), pick(downgrade, "null", o)
	case "same-origin":
		return pick(same, full.String(), ""), pick(same, o, "null")
	case "origin":
		return o + "/", o
	case "strict-origin":
		return pick(downgrade, "", o+"/"), pick(downgrade, "null", o)
	case "origin-when-cross-origin":
		return pick(same, full.String(), o+"/"), o
	case "unsafe-url":
		return full.String(), o
	}
	// strict-origin-when-cross-origin
	switch {
	case same:
		return full.String(), o
	case downgrade:
		return "", "null"
	}
	return o + "/", o
}

// lastPolicy returns the last policy of a Referrer-Policy header value that
// is a known one (unknown tokens are ignored, as browsers do).
func lastPolicy(v string) string {
	out := ""
	for _, t := range strings.Split(v, ",") {
		switch t = strings.ToLower(strings.TrimSpace(t)); t {
		case "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
			"origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url":
			out = t
		}
	}
	return out
}
