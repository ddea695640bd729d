package load

import (
	"net/http"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/profile"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestParseSLO(t *testing.T) {
	cases := []struct {
		description string
		expr        string
		want        []Cond
		wantErr     string
	}{
		{"latency and success", "p99<50ms,success>=99.9%", []Cond{{"p99", "<", float64(50 * time.Millisecond)}, {"success", ">=", 0.999}}, ""},
		{"spaces and throughput", " p50 <= 5ms , throughput > 100 ", []Cond{{"p50", "<=", float64(5 * time.Millisecond)}, {"throughput", ">", 100}}, ""},
		{"empty is no SLO", "", nil, ""},
		{"unknown metric", "p42<5ms", nil, `unknown metric "p42"`},
		{"no operator", "p99=5ms", nil, "want METRIC<VALUE"},
		{"bad duration", "p99<fast", nil, `"fast" is not a duration`},
		{"bad percentage", "success>=120%", nil, "not a percentage"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			s, err := ParseSLO(tc.expr)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Len(t, s.Conds, len(tc.want))
			for i, c := range tc.want {
				require.Equal(t, c.Metric, s.Conds[i].Metric)
				require.Equal(t, c.Op, s.Conds[i].Op)
				require.InDelta(t, c.Value, s.Conds[i].Value, 1e-9)
			}
		})
	}
}

func TestSLOCheck(t *testing.T) {
	rep := &outputs.LoadReport{Requests: 10, SuccessRatio: 0.995, Throughput: 50, Latencies: outputs.LatencySummary{P99: int64(40 * time.Millisecond)}}
	s, _ := ParseSLO("p99<50ms,success>=99.9%")
	res := s.Check(rep)
	require.False(t, res.Pass)
	require.Equal(t, []string{"success >= 99.900%: got 99.500%"}, res.Violations)
	s, _ = ParseSLO("success>=99.9%")
	require.True(t, s.Check(&outputs.LoadReport{Requests: 1000, SuccessRatio: 999.0 / 1000}).Pass, "exactly 99.9% meets >=99.9%")
	s, _ = ParseSLO("p99<50ms")
	require.True(t, s.Check(rep).Pass)
	require.False(t, s.Check(&outputs.LoadReport{}).Pass, "a run with no requests meets no SLO")
}

func TestParseMixAndRamp(t *testing.T) {
	m, err := ParseMix("cc=70, refresh=20,code=10")
	require.NoError(t, err)
	require.Equal(t, map[string]int{ClientCredentials: 70, RefreshToken: 20, AuthorizationCode: 10}, m)
	for _, bad := range []string{"", "cc", "cc=0", "cc=x", "cc=1,client_credentials=2"} {
		_, err := ParseMix(bad)
		require.Error(t, err, bad)
	}
	r, err := ParseRamp("100:400:4")
	require.NoError(t, err)
	o := Options{Ramp: r, Duration: 4 * time.Second}
	require.Equal(t, []stage{{100, time.Second}, {200, time.Second}, {300, time.Second}, {400, time.Second}}, o.stages())
	for _, bad := range []string{"1:2", "a:2:3", "1:2:0"} {
		_, err := ParseRamp(bad)
		require.Error(t, err, bad)
	}
}

func TestValidate(t *testing.T) {
	p, err := profile.Load("ucommerce")
	require.NoError(t, err)
	loc := http.Header{"Location": {"https://c.test/cb?code=a%2Bb"}}
	cases := []struct {
		description string
		step        string
		r           vegeta.Result
		want        string
	}{
		{"valid token", "token", vegeta.Result{Code: 200, Body: []byte(`{"access_token":"x","token_type":"bearer"}`)}, ""},
		{"2xx is not enough", "token", vegeta.Result{Code: 200, Body: []byte(`{"token_type":"bearer"}`)}, "invalid token response: no access_token string (RFC 6749 §5.1)"},
		{"wrong literal", "token", vegeta.Result{Code: 200, Body: []byte(`{"access_token":"x","token_type":"Bearer"}`)}, `invalid token response: token_type is "Bearer", want the documented literal "bearer"`},
		{"not JSON", "exchange", vegeta.Result{Code: 200, Body: []byte(`<html>`)}, "invalid token response: body is not JSON"},
		{"error status", "token", vegeta.Result{Code: 400, Body: []byte(`{}`)}, "invalid token response: HTTP 400"},
		{"connect with a code", "connect", vegeta.Result{Code: 302, Headers: loc}, ""},
		{"connect without redirect", "code.connect", vegeta.Result{Code: 400}, "connect: HTTP 400, want a redirect"},
		{"connect without code", "seed-connect", vegeta.Result{Code: 302, Headers: http.Header{"Location": {"https://c.test/cb?error=x"}}}, "connect: no code in Location"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			require.Equal(t, tc.want, validate(p, AuthorizationCode, tc.step, &tc.r))
		})
	}
	require.Equal(t, "a+b", codeFromLocation("https://c.test/cb?code=a%2Bb"), "decoded exactly once")
}

func TestOptionsAreValidated(t *testing.T) {
	p, _ := profile.Load("elasticpath")
	cases := []struct {
		description string
		o           Options
		wantErr     string
	}{
		{"unbounded in time", Options{BaseURL: "http://127.0.0.1", Profile: p, Scenario: ClientCredentials}, "duration must be positive"},
		{"unsupported scenario", Options{BaseURL: "http://127.0.0.1", Profile: p, Scenario: RefreshToken, Duration: time.Second}, `has no scenario "refresh_token"`},
		{"mix without weights", Options{BaseURL: "http://127.0.0.1", Profile: p, Scenario: Mix, Duration: time.Second}, "needs weights"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			require.ErrorContains(t, tc.o.validate(), tc.wantErr)
		})
	}
	o := Options{BaseURL: "http://127.0.0.1", Profile: p, Scenario: ClientCredentials, Duration: 10 * time.Second, Rate: 100}
	require.NoError(t, o.validate())
	require.Equal(t, uint64(1110), o.MaxRequests, "default bound: rate × duration × 1.1 (+10)")
}

func TestNeededCredentials(t *testing.T) {
	cases := []struct {
		description string
		profile     string
		scenario    string
		mix         map[string]int
		want        []string
	}{
		{"shopware client_credentials needs only the integration key", "shopware", ClientCredentials, nil, []string{"client_id", "client_secret"}},
		{"shopware refresh is seeded by the password grant", "shopware", RefreshToken, nil, []string{"client_id", "password", "scope", "username"}},
		{"ucommerce code flow needs the redirect URI", "ucommerce", AuthorizationCode, nil, []string{"client_id", "client_secret", "redirect_uri"}},
		{"elastic path customer tokens need the customer's login", "elasticpath", CustomerToken, nil, []string{"client_id", "customer_email", "customer_password"}},
		{"a mix needs the union", "rfc6749", Mix, map[string]int{ClientCredentials: 1, Password: 1}, []string{"client_id", "client_secret", "password", "scope", "username"}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			p, err := profile.Load(tc.profile)
			require.NoError(t, err)
			require.Equal(t, tc.want, NeededCredentials(p, tc.scenario, tc.mix))
		})
	}
}
