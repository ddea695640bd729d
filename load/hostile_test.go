package load

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/internal/redact"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/stretchr/testify/require"
)

// TestEchoedSecretsNeverReachTheOutputs: a target that echoes the request (its
// body and Authorization header) as the token_type makes every response
// invalid, and the error quoting it reaches report.json, results.bin, the text
// report and plot.html with no form of the client secret in any of them.
func TestEchoedSecretsNeverReachTheOutputs(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "tok-123456789", "token_type": string(body) + " " + r.Header.Get("Authorization")})
	}))
	t.Cleanup(echo.Close)
	const secret = "s&c/r+t é"
	for _, prof := range []string{"shopware", "rfc6749"} { // body and Basic client authentication
		t.Run(prof, func(t *testing.T) {
			o := demoOptions(t, echo.URL, prof, ClientCredentials)
			id, _ := o.Credentials.Get("client_id")
			o.Credentials = profile.NewCredentials(map[string]string{"client_id": id, "client_secret": secret}, "client_secret")
			p := *o.Profile
			p.TokenType = "Bearer" // a literal to miss (rfc6749 has none)
			o.Profile = &p
			o.Rate, o.Duration, o.OutDir = 20, 500*time.Millisecond, t.TempDir()
			rep, err := Run(context.Background(), o)
			require.NoError(t, err)
			require.Greater(t, rep.Requests, uint64(0))
			require.Zero(t, rep.SuccessRatio, "an echo is not the profile's token_type")
			var text bytes.Buffer
			require.NoError(t, WriteText(&text, rep))
			outputs := map[string][]byte{"text report": text.Bytes()}
			dir := filepath.Join(o.OutDir, "load", ClientCredentials)
			for _, f := range []string{"report.json", "results.bin", "plot.html"} {
				b, err := os.ReadFile(filepath.Join(dir, f))
				require.NoError(t, err)
				outputs[f] = b
			}
			require.Contains(t, text.String(), "token_type", "the error is reported")
			forms := append(redact.Forms(secret), redact.BasicForms(id, secret)...)
			for name, b := range outputs {
				for _, f := range forms {
					require.NotContains(t, string(b), f, "%s shows the secret as %q", name, f)
				}
			}
		})
	}
}

// TestOversizedBodiesAreCountedNotDrained: a 200 with a 4 MiB body, or a
// gzip bomb inflating to 1 GiB, is an error "response body too large" for
// each request, on vegeta's path and through the flow transport, and the run
// still ends about its duration.
func TestOversizedBodiesAreCountedNotDrained(t *testing.T) {
	huge := func(w http.ResponseWriter) {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for i := 0; i < 64; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	bomb := func(w http.ResponseWriter) {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush() // headers first: compressing takes a while
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		zero := make([]byte, 1<<20)
		for i := 0; i < 1024; i++ {
			if _, err := zw.Write(zero); err != nil {
				return
			}
		}
		_ = zw.Close()
	}
	for _, body := range []struct {
		name  string
		write func(http.ResponseWriter)
	}{{"4 MiB body", huge}, {"gzip bomb", bomb}} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/authorize") {
				http.Redirect(w, r, r.URL.Query().Get("redirect_uri")+"?code=code-0123456789&state="+r.URL.Query().Get("state"), http.StatusFound)
				return
			}
			body.write(w)
		}))
		t.Cleanup(ts.Close)
		for _, scenario := range []string{ClientCredentials, AuthorizationCode} {
			t.Run(body.name+"/"+scenario, func(t *testing.T) {
				o := demoOptions(t, ts.URL, "rfc6749", scenario)
				o.Rate, o.Duration, o.Timeout = 10, 500*time.Millisecond, 5*time.Second
				start := time.Now()
				rep, err := Run(context.Background(), o)
				require.NoError(t, err)
				require.Less(t, time.Since(start), 10*time.Second)
				require.Greater(t, rep.Requests, uint64(0))
				require.Less(t, rep.SuccessRatio, 0.9, "no token response is valid (connect steps may be)")
				found := false
				for _, e := range rep.Errors {
					found = found || strings.Contains(e, "response body too large: over 1 MiB")
				}
				require.True(t, found, "errors %v name the body bound", rep.Errors)
				require.Greater(t, rep.ErrorClasses[outputs.ErrorClassBodyTooLarge], uint64(0), "body too large is its own error class: %v", rep.ErrorClasses)
				require.Zero(t, rep.ErrorClasses[outputs.ErrorClassTimeout], "not drained until the timeout")
				var text bytes.Buffer
				require.NoError(t, WriteText(&text, rep))
				require.Contains(t, text.String(), "Error classes body_too_large ")
			})
		}
	}
}
