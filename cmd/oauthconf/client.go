package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/httpx"
	"github.com/oauthconf/oauthconf/internal/redact"
	"github.com/spf13/pflag"
)

// clientFlags are the options of the harness's HTTP client towards a real
// server, shared by verify and load: TLS roots, a client certificate (RFC
// 8705 mutual-TLS servers), extra headers, and --insecure. Proxies come
// from HTTPS_PROXY, HTTP_PROXY and NO_PROXY (internal/httpx.NewTransport).
type clientFlags struct {
	caFile, clientCert, clientKey string
	headers                       []string
	insecure                      bool
}

// register adds the flags to f.
func (c *clientFlags) register(f *pflag.FlagSet) {
	f.StringVar(&c.caFile, "ca-file", "", "PEM file of CA certificates to trust beside the system's (a private CA)")
	f.StringVar(&c.clientCert, "client-cert", "", "PEM client certificate, for servers that authenticate clients with mutual TLS (RFC 8705); needs --client-key")
	f.StringVar(&c.clientKey, "client-key", "", "PEM private key of --client-cert")
	f.StringArrayVar(&c.headers, "header", nil, "extra request header 'Name: value' on every request (repeatable; a check's own header of that name wins; secret-looking names are redacted when printed)")
	f.BoolVar(&c.insecure, "insecure", false, "do not verify the target's TLS certificate (every run prints a warning)")
}

// set reports whether any client option is given.
func (c clientFlags) set() bool {
	return c.caFile != "" || c.clientCert != "" || c.clientKey != "" || len(c.headers) > 0 || c.insecure
}

// header parses --header values.
func (c clientFlags) header() (http.Header, error) {
	h := http.Header{}
	for _, s := range c.headers {
		name, value, err := httpx.ParseHeader(s)
		if err != nil {
			return nil, err
		}
		h.Add(name, value)
	}
	return h, nil
}

// transport returns the transport the options ask for (nil when none is
// given: the callers' defaults stay) and prints, on w, the --insecure
// warning and the extra headers (secret values redacted).
func (c clientFlags) transport(timeout time.Duration, w io.Writer) (http.RoundTripper, error) {
	if !c.set() {
		return nil, nil
	}
	cfg, err := httpx.ClientTLS{CAFile: c.caFile, CertFile: c.clientCert, KeyFile: c.clientKey, Insecure: c.insecure}.Config()
	if err != nil {
		return nil, err
	}
	h, err := c.header()
	if err != nil {
		return nil, err
	}
	tr := httpx.NewTransport(timeout, 0)
	tr.TLSClientConfig = cfg
	if c.insecure {
		fmt.Fprintln(w, httpx.InsecureWarning)
	}
	if len(h) == 0 {
		return tr, nil
	}
	var shown []string
	for name, vs := range h {
		for _, v := range vs {
			shown = append(shown, name+": "+redact.HeaderValue(name, v))
		}
	}
	slices.Sort(shown)
	fmt.Fprintf(w, "extra headers: %s\n", strings.Join(shown, "; "))
	return &httpx.HeaderTransport{Base: tr, Header: h}, nil
}
