package steps

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthconf/oauthconf/reference"
)

// referenceModeFor returns the reference options defect d needs to change
// anything (reference.Defect.Needs): the signing-alg defects run against an
// ES256 server.
func referenceModeFor(d reference.Defect) []reference.Option {
	if d.Needs() == reference.NeedsSigningAlg {
		return []reference.Option{reference.WithSigningAlg("ES256")}
	}
	return nil
}

// scenarioStatus returns the status of the scenario called name in res.
func scenarioStatus(res Result, name string) (Status, string) {
	for _, s := range res.Scenarios() {
		if s.Name == name {
			return s.Status, s.Message
		}
	}
	return "", "no such scenario"
}

func TestJWKSVerifiesEveryAlgorithm(t *testing.T) {
	for _, alg := range reference.SigningAlgs() {
		t.Run(alg+" tokens verify with the discovered JWK Set", func(t *testing.T) {
			ts := startReferenceWith(t, []reference.Option{reference.WithSigningAlg(alg)})
			o := demoOptions(t, "rfc6749", ts.URL)
			o.Tags = "@rfc7517-4.5-kid,@rfc8725-3.1-none,@rfc8725-3.1-hs256-public-key,@rfc8414-2-jwks"
			res, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if f := failing(res); len(f) > 0 {
				t.Fatalf("failed: %v", f)
			}
			for _, name := range []string{
				"The access token verifies with the key of the JWK Set its kid names",
				"The protected resource refuses an unsigned token (alg none)",
				"The protected resource refuses an HS256 token keyed with the public key",
				"The advertised jwks_uri serves a JWK Set",
			} {
				if st, msg := scenarioStatus(res, name); st != StatusPassed {
					t.Errorf("%s: %s (%s), want passed", name, st, msg)
				}
			}
		})
	}
}

func TestJWKSRefetchedForAnUnknownKid(t *testing.T) {
	ts := startReferenceWith(t, []reference.Option{reference.WithSigningAlg("EdDSA")})
	o := demoOptions(t, "rfc6749", ts.URL)
	r, err := newRun(o)
	if err != nil {
		t.Fatal(err)
	}
	s := &scenario{t: r.t}
	ctx := context.Background()
	if err := s.holdAccess(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.verifyJWKS(ctx, s.tok.access); err != nil {
		t.Fatalf("before the rotation: %v", err)
	}
	resp, err := http.Post(ts.URL+"/_test/keys/rotate", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := s.holdAccess(ctx); err != nil {
		t.Fatal(err)
	}
	before := len(s.exchanges)
	if _, err := s.verifyJWKS(ctx, s.tok.access); err != nil {
		t.Fatalf("after the rotation: %v\n%s", err, s.transcript())
	}
	var fetched int
	for _, ex := range s.exchanges[before:] {
		if strings.HasSuffix(ex.URL, "/oauth2/jwks") {
			fetched++
		}
	}
	if fetched != 1 {
		t.Errorf("the JWK Set was fetched %d times for the new kid, want once", fetched)
	}
}

func TestOptionalMetadataSkipsWhatIsNoMetadata(t *testing.T) {
	srv, err := reference.New(reference.DemoConfig(), reference.WithTestClock())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		description string
		answer      func(w http.ResponseWriter)
		want        Status
	}{
		{"a sign-in page at the well-known URL is no metadata", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>sign in</html>"))
		}, StatusSkipped},
		{"404 is no metadata", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) }, StatusSkipped},
		{"a JSON document without the required fields is broken metadata", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"token_endpoint":"x"}`))
		}, StatusFailed},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/.well-known/") {
					tc.answer(w)
					return
				}
				srv.ServeHTTP(w, r)
			}))
			defer ts.Close()
			o := demoOptions(t, "rfc6749", ts.URL)
			o.Tags = "@rfc8414-2-required"
			res, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if st, msg := scenarioStatus(res, "The metadata is a JSON object with the required fields"); st != tc.want {
				t.Errorf("%s (%s), want %s", st, msg, tc.want)
			}
		})
	}
	srv.Close()
}

// TestSigningModeIsClean: the mode TestDefects starts the signing-alg
// defects in passes every built-in profile, so what fails under those
// defects fails for the defect.
func TestSigningModeIsClean(t *testing.T) {
	ts := startReferenceWith(t, referenceModeFor(reference.KidUnpublished))
	res := runProfiles(t, ts.URL, builtinProfiles...)
	if f := failing(res); len(f) > 0 {
		t.Fatalf("the ES256 reference fails scenarios:\n  %s", strings.Join(f, "\n  "))
	}
}
