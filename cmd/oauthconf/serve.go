package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/reference"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	addr        string
	config      string
	testClock   bool
	defects     []string
	listDefects bool
	printConfig bool
	login       string
	signingAlg  string
	requirePKCE bool
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference authorization server (all four dialects on one listener)",
		Long: `Run the bundled reference authorization server. It serves the Ucommerce, Shopware,
Elastic Path and strict RFC 6749 dialects on one listener, each under its documented
paths (see docs/reference-server.md), with the demo clients and users printed by
--print-config.

  oauthconf serve --test-clock                      # loopback :8080, clock advanceable
  oauthconf serve --defect code-reusable --defect no-cache-headers
  oauthconf serve --config my-stores.yaml           # override the demo configuration
  oauthconf serve --login                           # sign-in and consent pages before /oauth2/authorize answers
  oauthconf serve --login=script --signing-alg ES256 # the sign-in form built by JavaScript; ES256 tokens, JWKS at /oauth2/jwks`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	f.StringVar(&o.config, "config", "", "YAML file overriding the built-in demo configuration (see --print-config)")
	f.BoolVar(&o.testClock, "test-clock", false, "serve POST /_test/clock {\"advance\":\"61s\"} to move the server's clock forward")
	f.StringArrayVar(&o.defects, "defect", nil, "switch on a deliberate defect (repeatable; see --list-defects)")
	f.BoolVar(&o.listDefects, "list-defects", false, "print the defect catalogue, one line each, and exit")
	f.BoolVar(&o.printConfig, "print-config", false, "print the built-in demo configuration (YAML) and exit")
	f.StringVar(&o.login, "login", "", "put sign-in (session cookie, CSRF token) and consent pages in front of the rfc6749 authorization endpoint: form, or script (the form is built by JavaScript; write --login=script); --login alone means form")
	f.Lookup("login").NoOptDefVal = string(reference.LoginForm)
	f.BoolVar(&o.requirePKCE, "require-pkce", false, "require PKCE (a code_challenge) of every rfc6749 client, confidential ones too (RFC 9700 §2.1.1; the config's rfc6749.require_pkce)")
	f.StringVar(&o.signingAlg, "signing-alg", "", "sign the rfc6749 dialect's access tokens with a generated key pair ("+strings.Join(reference.SigningAlgs(), ", ")+") and publish its JWKS at /oauth2/jwks")
	return cmd
}

func runServe(ctx context.Context, o serveOptions, stdout, stderr io.Writer) error {
	if o.listDefects {
		for _, d := range reference.Defects() {
			needs := ""
			if d.Needs() != "" {
				needs = "; needs --" + d.Needs()
			}
			fmt.Fprintf(stdout, "%-30s %s [%s%s]\n", d, d.Describe(), strings.Join(d.Dialects(), ", "), needs)
		}
		return nil
	}
	if o.printConfig {
		_, err := stdout.Write(reference.DemoYAML())
		return err
	}
	srv, err := newReference(o)
	if err != nil {
		return usageError(err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return usageError(fmt.Errorf("serve: listen on %s: %w", o.addr, err))
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(stderr, "oauthconf reference server listening on http://%s", ln.Addr())
	if o.testClock {
		fmt.Fprint(stderr, " (test clock: POST /_test/clock)")
	}
	if o.login != "" {
		fmt.Fprintf(stderr, " (login: %s pages at /oauth2/interaction/)", o.login)
	}
	if o.signingAlg != "" {
		fmt.Fprintf(stderr, " (%s tokens, JWKS at /oauth2/jwks)", o.signingAlg)
	}
	fmt.Fprintln(stderr)
	for _, name := range o.defects {
		d, _ := reference.ParseDefect(name) // newReference checked the names
		fmt.Fprintf(stderr, "defect %s: %s; changes the %s dialects only\n", d, d.Describe(), strings.Join(d.Dialects(), ", "))
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	fmt.Fprintln(stderr, "oauthconf reference server stopped")
	return nil
}

// newReference builds a reference server from the serve options (config file,
// test clock, login and signing modes, defect names); every error names what
// is wrong.
func newReference(o serveOptions) (*reference.Server, error) {
	cfg := reference.DemoConfig()
	if o.config != "" {
		var err error
		if cfg, err = reference.LoadConfig(o.config); err != nil {
			return nil, err
		}
	}
	if o.requirePKCE {
		cfg.RFC6749.RequirePKCE = true
	}
	opts := []reference.Option{}
	if o.testClock {
		opts = append(opts, reference.WithTestClock())
	}
	if o.login != "" {
		m, err := reference.ParseLoginMode(o.login)
		if err != nil {
			return nil, fmt.Errorf("--login: %w", err)
		}
		opts = append(opts, reference.WithLogin(m))
	}
	if o.signingAlg != "" {
		if !slices.Contains(reference.SigningAlgs(), o.signingAlg) {
			return nil, fmt.Errorf("--signing-alg: %q is not one of %s", o.signingAlg, strings.Join(reference.SigningAlgs(), ", "))
		}
		opts = append(opts, reference.WithSigningAlg(o.signingAlg))
	}
	for _, name := range o.defects {
		d, err := reference.ParseDefect(name)
		if err != nil {
			return nil, fmt.Errorf("--defect: %w", err)
		}
		opts = append(opts, reference.WithDefects(d))
	}
	return reference.New(cfg, opts...)
}
