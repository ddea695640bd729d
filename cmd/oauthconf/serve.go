package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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
  oauthconf serve --config my-stores.yaml           # override the demo configuration`,
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
	return cmd
}

func runServe(ctx context.Context, o serveOptions, stdout, stderr io.Writer) error {
	if o.listDefects {
		for _, d := range reference.Defects() {
			fmt.Fprintf(stdout, "%-30s %s [%s]\n", d, d.Describe(), strings.Join(d.Dialects(), ", "))
		}
		return nil
	}
	if o.printConfig {
		_, err := stdout.Write(reference.DemoYAML())
		return err
	}
	srv, err := newReference(o.config, o.testClock, o.defects)
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

// newReference builds a reference server from an optional config file, the
// test-clock switch and defect names; every error names what is wrong.
func newReference(configPath string, testClock bool, defectNames []string) (*reference.Server, error) {
	cfg := reference.DemoConfig()
	if configPath != "" {
		var err error
		if cfg, err = reference.LoadConfig(configPath); err != nil {
			return nil, err
		}
	}
	opts := []reference.Option{}
	if testClock {
		opts = append(opts, reference.WithTestClock())
	}
	for _, name := range defectNames {
		d, err := reference.ParseDefect(name)
		if err != nil {
			return nil, fmt.Errorf("--defect: %w", err)
		}
		opts = append(opts, reference.WithDefects(d))
	}
	return reference.New(cfg, opts...)
}
