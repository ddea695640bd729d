package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/profile"
)

// ErrNoMetadata is returned by Discover when neither metadata URL of the
// issuer serves a document (both answer 404 or 410).
var ErrNoMetadata = errors.New("no authorization server metadata")

// metadataDoc is one fetched metadata document.
type metadataDoc struct {
	url    string
	ex     *Exchange
	doc    *profile.Metadata
	fields map[string]any // the document as JSON, to check field types
	err    error          // why the document is not RFC 8414 metadata (§3.2), nil if it is
}

// getter sends one GET and returns the exchange (recorded by the caller).
type getter func(ctx context.Context, url string) (*Exchange, error)

// fetchMetadata reads issuer's metadata from the RFC 8414 §3.1 URL, else the
// OpenID configuration. A document that is there but no JSON object is
// returned with err set; ErrNoMetadata when neither URL serves one.
func fetchMetadata(ctx context.Context, issuer string, get getter) (*metadataDoc, error) {
	urls, err := profile.MetadataURLs(issuer)
	if err != nil {
		return nil, err
	}
	var tried []string
	for _, u := range urls {
		ex, err := get(ctx, u)
		if err != nil {
			return nil, err
		}
		if ex.Status == http.StatusNotFound || ex.Status == http.StatusGone {
			tried = append(tried, fmt.Sprintf("%s (%s)", u, ex.StatusText))
			continue
		}
		return parseMetadata(u, ex), nil
	}
	return nil, fmt.Errorf("%w for issuer %s: %s", ErrNoMetadata, issuer, strings.Join(tried, ", "))
}

// parseMetadata decodes a metadata response (RFC 8414 §3.2: 200, an
// application/json object).
func parseMetadata(u string, ex *Exchange) *metadataDoc {
	d := &metadataDoc{url: u, ex: ex}
	if ex.Status != http.StatusOK {
		d.err = fmt.Errorf("GET %s answered %s, want 200 with the metadata (RFC 8414 §3.2)%s", u, ex.StatusText, bodyHint(ex))
		return d
	}
	if mt, _, _ := mime.ParseMediaType(ex.Header("Content-Type")); mt != "application/json" {
		d.err = fmt.Errorf("GET %s: Content-Type is %q, want application/json (RFC 8414 §3.2)", u, ex.Header("Content-Type"))
		return d
	}
	m, err := decodeJSONObject(ex.RespBody)
	if err != nil {
		d.err = fmt.Errorf("GET %s: the metadata is not a JSON object (RFC 8414 §3.2): %w%s", u, err, bodyHint(ex))
		return d
	}
	var doc profile.Metadata
	if err := json.Unmarshal(ex.RespBody, &doc); err != nil {
		d.err = fmt.Errorf("GET %s: a metadata field has the wrong JSON type (RFC 8414 §2: strings and arrays of strings): %w", u, err)
		return d
	}
	d.doc, d.fields = &doc, m
	return d
}

// servesJSON reports whether ex is a 200 answer with a JSON media type: with
// metadata.optional, anything else at the well-known URL (a sign-in page, a
// 401) means no metadata is published, not broken metadata.
func servesJSON(ex *Exchange) bool {
	mt, _, _ := mime.ParseMediaType(ex.Header("Content-Type"))
	return ex.Status == http.StatusOK && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// Discover reads the authorization server metadata of issuer (RFC 8414 §3,
// else OpenID Connect Discovery 1.0 §4) with the suite's bounded HTTP client
// (timeout per request, bodies up to MaxBody, no redirects followed). It
// returns the document and the URL it came from; errors say which URLs were
// tried and why the document is not metadata; a server that could not be
// reached is an ErrTargetCheck. hc may be nil.
func Discover(ctx context.Context, issuer string, timeout time.Duration, hc *http.Client) (*profile.Metadata, string, error) {
	if _, err := profile.MetadataURLs(issuer); err != nil {
		return nil, "", err
	}
	c, err := newHTTPClient(issuer, timeout, hc)
	if err != nil {
		return nil, "", err
	}
	get := func(ctx context.Context, u string) (*Exchange, error) {
		ex, err := c.do(ctx, http.MethodGet, u, http.Header{"Accept": {"application/json"}}, nil)
		if err != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("%w: %w", ErrTargetCheck, err)
		}
		return ex, err
	}
	d, err := fetchMetadata(ctx, issuer, get)
	if err != nil {
		return nil, "", err
	}
	if d.err != nil {
		return nil, d.url, d.err
	}
	return d.doc, d.url, nil
}

// issuer is the issuer identifier the scenario builds the metadata URL from:
// metadata.issuer, else the target URL.
func (s *scenario) issuer() string {
	if m := s.t.p.Metadata; m != nil && m.Issuer != "" {
		return m.Issuer
	}
	return s.t.client.base.String()
}

// metadata fetches the target's metadata once per scenario, recording the
// exchanges. Without a metadata setting, or (metadata.optional) when the
// target publishes none, the scenario is skipped.
func (s *scenario) metadata(ctx context.Context) (*metadataDoc, error) {
	if s.meta != nil {
		return s.meta, nil
	}
	spec := s.t.p.Metadata
	if spec == nil {
		return nil, errSkip("profile %s does not say the target publishes RFC 8414 metadata (metadata)", s.t.p.Name)
	}
	get := func(ctx context.Context, u string) (*Exchange, error) {
		return s.send(ctx, http.MethodGet, u, http.Header{"Accept": {"application/json"}}, nil)
	}
	d, err := fetchMetadata(ctx, s.issuer(), get)
	if errors.Is(err, ErrNoMetadata) && spec.Optional {
		return nil, errSkip("the target publishes no RFC 8414 metadata (metadata.optional): %v", err)
	}
	if err != nil {
		return nil, err
	}
	if spec.Optional && d.err != nil && !servesJSON(d.ex) {
		return nil, errSkip("the target publishes no RFC 8414 metadata (metadata.optional): %v", d.err)
	}
	s.meta = d
	return d, nil
}

// metadataDocument returns the parsed metadata, or a control failure when the
// document could not be read as metadata (the scenario on §3.2 fails for it).
func (s *scenario) metadataDocument(ctx context.Context) (*metadataDoc, error) {
	d, err := s.metadata(ctx)
	if err != nil {
		return nil, control(err)
	}
	if d.err != nil {
		return nil, control(d.err)
	}
	return d, nil
}
