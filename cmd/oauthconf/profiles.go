package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/steps"
	"github.com/spf13/cobra"
)

func newProfilesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profiles",
		Short: "List the built-in target profiles, or print one as a starting point for your own",
		Long: `List the built-in profiles (ucommerce, shopware, elasticpath, rfc6749), or print one:

  oauthconf profiles
  oauthconf profiles show rfc6749 > myvendor.yaml   # then edit paths, grants, literals
  oauthconf profiles discover https://as.example.com > myvendor.yaml   # from RFC 8414 metadata

See docs/profiles.md for every field.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range profile.Builtin() {
				p, err := profile.Load(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-12s %s\n", name, p.Title)
			}
			return nil
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME",
		Short: "Print a built-in profile's YAML",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := profile.BuiltinYAML(args[0])
			if err != nil {
				return usageError(err)
			}
			_, err = cmd.OutOrStdout().Write(data)
			return err
		},
	})
	cmd.AddCommand(newProfilesDiscoverCmd())
	return cmd
}

func newProfilesDiscoverCmd() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "discover ISSUER",
		Short: "Print a profile built from the server's RFC 8414 (or OpenID) discovery metadata",
		Long: `Read the authorization server metadata of ISSUER, the server's issuer identifier
(e.g. https://as.example.com or https://idp.example.com/realms/main), from
/.well-known/oauth-authorization-server (RFC 8414 §3.1: inserted before the issuer's
path) or else /.well-known/openid-configuration, and print a profile: endpoints (paths
on the issuer's origin, absolute URLs elsewhere), grants, client authentication, PKCE,
revocation, introspection and jwks_uri. Comments say what metadata cannot tell
(credentials, lifetimes, protected resources). A metadata URL is accepted too.

  oauthconf profiles discover http://127.0.0.1:8080 > my.yaml
  oauthconf verify --profile my.yaml --target http://127.0.0.1:8080 --credential client_id=...

Exit codes: 0 the profile was printed; 1 the server answered but publishes no usable
metadata (neither URL has it, not JSON, wrong field types); 2 usage error (a bad issuer
URL) or a server that could not be reached (refused, DNS, TLS, timeout), as for verify
and load.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return discoverProfile(cmd, args[0], timeout)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", steps.DefaultTimeout, "timeout of each HTTP request")
	return cmd
}

// discoverProfile fetches issuer's metadata and prints the profile built
// from it, checked by profile.Parse so that it loads as printed.
func discoverProfile(cmd *cobra.Command, issuer string, timeout time.Duration) error {
	issuer = profile.IssuerOf(issuer)
	if _, err := profile.MetadataURLs(issuer); err != nil {
		return usageError(fmt.Errorf("discover: %w", err))
	}
	m, from, err := steps.Discover(cmd.Context(), issuer, timeout, nil)
	if errors.Is(err, steps.ErrTargetCheck) {
		return usageError(fmt.Errorf("discover: %w", err))
	}
	if errors.Is(err, steps.ErrNoMetadata) {
		return failedError(fmt.Errorf("discover: %w (does the server publish RFC 8414 metadata? then write the profile by hand: oauthconf profiles show rfc6749)", err))
	}
	if err != nil {
		return failedError(fmt.Errorf("discover: %w", err))
	}
	data, err := profile.FromMetadata(m, from)
	if err != nil {
		return failedError(fmt.Errorf("discover: %w", err))
	}
	if _, err := profile.Parse(data, "discovered from "+from); err != nil {
		return fmt.Errorf("discover: the profile built from %s does not load (a bug of oauthconf): %w", from, err)
	}
	if m.Issuer != issuer {
		fmt.Fprintf(cmd.ErrOrStderr(), "discover: warning: the metadata says issuer %q, but it was read for %q (RFC 8414 §3.3 wants them identical)\n", m.Issuer, issuer)
	}
	_, err = cmd.OutOrStdout().Write(data)
	return err
}
