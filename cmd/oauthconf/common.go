package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/oauthconf/oauthconf/profile"
	"github.com/oauthconf/oauthconf/reference"
)

// Helpers that verify and load share.

// credentialFlags merges --credentials FILE and --credential NAME=VALUE flags.
func credentialFlags(flags []string, file string) (map[string]string, error) {
	given := map[string]string{}
	if file != "" {
		m, err := profile.ReadCredentialsFile(file)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			given[k] = v
		}
	}
	for _, f := range flags {
		k, v, err := profile.ParseCredentialFlag(f)
		if err != nil {
			return nil, err
		}
		given[k] = v
	}
	return given, nil
}

// startEmbeddedReference serves the reference server (demo configuration) on
// 127.0.0.1 and returns its base URL and a stop function.
func startEmbeddedReference(opts ...reference.Option) (string, func(), error) {
	srv, err := reference.New(reference.DemoConfig(), opts...)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return "", nil, fmt.Errorf("embedded reference: %w", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		// The run is over when stop is called: a connection still open
		// belongs to nobody waiting for an answer, so a short grace suffices.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if hs.Shutdown(ctx) != nil {
			_ = hs.Close()
		}
		srv.Close()
	}, nil
}

// checkTargetURL refuses a --target with credentials in it (user:password@):
// they would be printed and reported with the URL, and sent as Basic
// authentication on every request. The error does not repeat the URL.
func checkTargetURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("--target is not a valid URL: %w", errors.Unwrap(err))
	}
	if u.User != nil {
		return fmt.Errorf("--target must not carry credentials (user:password@host); pass them with --credential or OAUTHCONF_* variables")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		// Not echoed: a query is where a secret would hide.
		return fmt.Errorf("--target must not carry a query or fragment (everything after ? or #): it is a base URL, the profile gives the paths and --credential the secrets")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--target %q: want an absolute http:// or https:// URL", raw)
	}
	return nil
}
