package load

import (
	"errors"
	"fmt"
	"strings"

	"github.com/oauthconf/oauthconf/profile"
)

// ResolveCredentials resolves the credentials a run of o.Scenario (with
// o.Mix) against o.Profile sends: every given name must be one the profile
// declares, and the credentials the scenario does not send are optional, so
// that a run asks only for what it uses. getenv looks up OAUTHCONF_<NAME>
// variables (nil: os.Getenv).
func ResolveCredentials(o Options, given map[string]string, getenv func(string) string) (profile.Credentials, error) {
	p := o.Profile
	for name := range given {
		if _, ok := p.Credentials[name]; !ok {
			return profile.Credentials{}, fmt.Errorf("credential %q is not one of profile %s's (%s)", name, p.Name, strings.Join(profile.CredentialNames(p), ", "))
		}
	}
	scoped := *p
	scoped.Credentials = map[string]*profile.CredentialSpec{}
	needed := map[string]bool{}
	for _, n := range NeededCredentials(p, o.Scenario, o.Mix) {
		needed[n] = true
	}
	for n, spec := range p.Credentials {
		c := profile.CredentialSpec{}
		if spec != nil {
			c = *spec
		}
		c.Optional = c.Optional || !needed[n]
		scoped.Credentials[n] = &c
	}
	return profile.Resolve(&scoped, given, getenv)
}

// Why a run fails its check (exit 1), for errors.Is.
var (
	// ErrSLOMissed: the run missed its SLO.
	ErrSLOMissed = errors.New("SLO missed")
	// ErrNoValidResponse: requests were sent but not one response was a valid
	// token response.
	ErrNoValidResponse = errors.New("no valid token response")
	// ErrNoCapacity: no probed rate of a capacity search met the SLO.
	ErrNoCapacity = errors.New("capacity search found no rate meeting the SLO")
)

// verdictError is a failed check: its message, and the sentinel it is.
type verdictError struct {
	is  error
	msg string
}

func (e *verdictError) Error() string        { return e.msg }
func (e *verdictError) Is(target error) bool { return target == e.is }

// Verdict says whether the run passed: an error that is ErrSLOMissed (with
// the violations) or ErrNoValidResponse (with the first error), or nil.
func (r *Report) Verdict() error {
	if r.SLO != nil && !r.SLO.Pass {
		return &verdictError{ErrSLOMissed, fmt.Sprintf("SLO missed: %v", r.SLO.Violations)}
	}
	if r.Requests > 0 && r.SuccessRatio == 0 {
		first := ""
		if len(r.Errors) > 0 {
			first = ": " + r.Errors[0]
		}
		return &verdictError{ErrNoValidResponse, fmt.Sprintf("none of %d responses was a valid token response%s", r.Requests, first)}
	}
	return nil
}

// Verdict is ErrNoCapacity when no probed rate met the SLO, else nil.
func (c *Capacity) Verdict() error {
	if c.Rate == 0 {
		return ErrNoCapacity
	}
	return nil
}
