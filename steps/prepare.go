package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/oauthconf/oauthconf/features"
	"github.com/oauthconf/oauthconf/profile"
)

// Why a verify run stopped before any scenario ran (exit 2): Abort.Kind, the
// error_kind of summary.json (docs/outputs.md).
const (
	AbortUsage       = "usage"       // flags and arguments
	AbortProfile     = "profile"     // unknown profile, bad YAML
	AbortCredentials = "credentials" // missing, unknown or unreadable credentials
	AbortTarget      = "target"      // bad target URL, failed reachability check
	AbortTags        = "tags"        // the tag expression selected no scenario
	AbortSetup       = "setup"       // embedded server, report directory, feature files
)

// AbortError is an error that stops a run before any scenario ran, with its
// Kind (AbortUsage, …).
type AbortError struct {
	Kind string
	Err  error
}

func (e *AbortError) Error() string { return e.Err.Error() }
func (e *AbortError) Unwrap() error { return e.Err }

func abortf(kind, format string, a ...any) error {
	return &AbortError{Kind: kind, Err: fmt.Errorf(format, a...)}
}

// Plan is a verify run before it starts: the profiles to load and the
// credentials given for them.
type Plan struct {
	// Profiles are built-in profile names or profile YAML files.
	Profiles []string
	// Given are the credential values given explicitly (flags, file).
	Given map[string]string
	// Credentials returns the values to resolve profile p with (default:
	// Given); a front end adds demo credentials here.
	Credentials func(p *profile.Profile) map[string]string
	// Getenv looks up OAUTHCONF_<NAME> variables (nil: os.Getenv; a function
	// returning "" ignores the environment).
	Getenv func(string) string
	// ResolveHint is appended to a credential that cannot be resolved (a hint
	// how to get one), if not empty.
	ResolveHint string
	// Base is copied into every profile's Options (BaseURL, Tags, Timeout, …).
	Base Options
	// ListOnly prepares for List (verify --list), which sends no request: a
	// missing credential does not stop it, List skips what needs it.
	ListOnly bool
}

// Prepare loads the plan's profiles and checks them before anything runs: each
// profile name once, every requirement tag a profile sets exists in the
// features, every given credential declared by some profile, and every
// profile's credentials resolved. It returns one Options per profile, in
// order. Its errors are *AbortError (AbortProfile, AbortCredentials,
// AbortSetup).
func Prepare(plan Plan) ([]Options, error) {
	profiles, err := loadProfiles(plan.Profiles)
	if err != nil {
		return nil, err
	}
	if err := checkGiven(plan.Given, plan.Profiles, profiles); err != nil {
		return nil, err
	}
	var all []Options
	for _, p := range profiles {
		given := plan.Given
		if plan.Credentials != nil {
			given = plan.Credentials(p)
		}
		creds, err := profile.Resolve(p, given, plan.Getenv)
		if err != nil && plan.ListOnly && len(missingCredentials(p, creds)) > 0 {
			err = nil
		}
		if err != nil && plan.ResolveHint != "" {
			err = fmt.Errorf("%w\n%s", err, plan.ResolveHint)
		}
		if err != nil {
			return nil, &AbortError{Kind: AbortCredentials, Err: err}
		}
		o := plan.Base
		o.Profile, o.Credentials = p, creds
		all = append(all, o)
	}
	return all, nil
}

// loadProfiles loads each name once and checks its requirement tags against
// the embedded features.
func loadProfiles(names []string) ([]*profile.Profile, error) {
	var profiles []*profile.Profile
	seen := map[string]string{}
	for _, n := range names {
		p, err := profile.Load(n)
		if err != nil {
			return nil, &AbortError{Kind: AbortProfile, Err: err}
		}
		// Reports are kept per profile name: a second one would overwrite the first.
		if prev, dup := seen[p.Name]; dup {
			return nil, abortf(AbortProfile, "--profile %s and --profile %s are both named %q; give each profile once, with its own name", prev, n, p.Name)
		}
		seen[p.Name] = n
		profiles = append(profiles, p)
	}
	tags, err := FeatureTags(features.FS)
	if err != nil {
		return nil, &AbortError{Kind: AbortSetup, Err: err}
	}
	for _, p := range profiles {
		if err := CheckRequirements(p, tags); err != nil {
			return nil, &AbortError{Kind: AbortProfile, Err: err}
		}
	}
	return profiles, nil
}

// checkGiven refuses a credential that no profile declares (a typo would
// otherwise be ignored silently).
func checkGiven(given map[string]string, names []string, profiles []*profile.Profile) error {
	for name := range given {
		known := slices.ContainsFunc(profiles, func(p *profile.Profile) bool {
			_, ok := p.Credentials[name]
			return ok
		})
		switch {
		case known:
		case len(profiles) == 1:
			return abortf(AbortCredentials, "credential %q is not declared by profile %s (it has: %s)", name, profiles[0].Name, strings.Join(profile.CredentialNames(profiles[0]), ", "))
		default:
			return abortf(AbortCredentials, "credential %q is declared by none of the profiles %s", name, strings.Join(names, ", "))
		}
	}
	return nil
}

// Verify runs every profile (RunAll) and says how verify ends: the result,
// the exit code (0 passed; 1 a scenario failed, the run was interrupted or
// broke off, with the error that broke it off) and an *AbortError (AbortTarget,
// AbortSetup, AbortTags) when no scenario could run, after which there is
// nothing to report.
func Verify(ctx context.Context, all []Options) (Result, int, error) {
	res, runErr := RunAll(ctx, all)
	interrupted := res.Interrupted || ctx.Err() != nil
	if runErr != nil && !interrupted && len(res.Profiles) == 0 {
		kind := AbortSetup
		if errors.Is(runErr, ErrTargetCheck) {
			kind = AbortTarget
		}
		return res, 0, &AbortError{Kind: kind, Err: runErr}
	}
	if len(res.Scenarios()) == 0 && !interrupted && runErr == nil {
		tags := ""
		if len(all) > 0 {
			tags = all[0].Tags
		}
		return res, 0, abortf(AbortTags, "no scenario ran: --tags %q matches none (godog syntax: @a && ~@b, @a,@b)", tags)
	}
	code := res.ExitCode()
	if interrupted || runErr != nil {
		code = 1
	}
	return res, code, runErr
}

// missingCredentials are the credentials p requires (not optional) that
// creds lacks, sorted.
func missingCredentials(p *profile.Profile, creds profile.Credentials) []string {
	var out []string
	for name, spec := range p.Credentials {
		if (spec == nil || !spec.Optional) && !creds.Has(name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
