package useragent_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/oauthconf/oauthconf/internal/useragent"
)

// A server that shows a login form, then redirects to the client with a code.
func ExampleAuthorize() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet:
			fmt.Fprint(w, `<title>Sign in</title><form method="post" action="/login">
<input type="hidden" name="csrf" value="t0k3n"><input name="username"><input type="password" name="password">
<button>Sign in</button></form>`)
		case r.PostFormValue("password") == "s3cret-pw" && r.PostFormValue("csrf") == "t0k3n":
			http.Redirect(w, r, "https://client.example/cb?code=abc123&state=xyz", http.StatusSeeOther)
		default:
			fmt.Fprint(w, `<title>Sign in</title><p class="error">Invalid password</p><form method="post"><input type="password" name="password"></form>`)
		}
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	authURL := srv.URL + "/authorize?response_type=code&client_id=app&state=xyz&redirect_uri=https%3A%2F%2Fclient.example%2Fcb"
	for _, pw := range []string{"s3cret-pw", "wrong"} {
		cfg := useragent.Config{Username: "alice", Password: pw}
		got, err := useragent.Authorize(ctx, srv.Client(), authURL, "https://client.example/cb", cfg, func(h useragent.Hop) {
			// A transcript: redact cfg.Password, cookies and the code before printing.
			fmt.Println("hop", h.N, h.Method, strings.TrimPrefix(h.URL, srv.URL), h.Status)
		})
		var ie *useragent.InteractionError
		switch {
		case errors.Is(err, useragent.ErrWrongCredentials) && errors.As(err, &ie):
			fmt.Printf("not tested: hop %d, %q\n", ie.Hop, ie.Text)
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Println("code", got.Query().Get("code"), "state", got.Query().Get("state"))
		}
	}
	// Output:
	// hop 1 GET /authorize?response_type=code&client_id=app&state=xyz&redirect_uri=https%3A%2F%2Fclient.example%2Fcb 200
	// hop 2 POST /login 303
	// code abc123 state xyz
	// hop 1 GET /authorize?response_type=code&client_id=app&state=xyz&redirect_uri=https%3A%2F%2Fclient.example%2Fcb 200
	// hop 2 POST /login 200
	// not tested: hop 2, "Invalid password"
}
