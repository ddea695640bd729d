package load

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
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
		{"latency and success", "p99<50ms,success>=99.9%", []Cond{{Metric: "p99", Op: "<", Value: float64(50 * time.Millisecond)}, {Metric: "success", Op: ">=", Value: 0.999}}, ""},
		{"spaces and throughput", " p50 <= 5ms , throughput > 100 ", []Cond{{Metric: "p50", Op: "<=", Value: float64(5 * time.Millisecond)}, {Metric: "throughput", Op: ">", Value: 100}}, ""},
		{"a step's percentile", "exchange.p99<50ms", []Cond{{Step: "exchange", Metric: "p99", Op: "<", Value: float64(50 * time.Millisecond)}}, ""},
		{"p99.9 of a mix component's step", "code.exchange.p99.9<=80ms", []Cond{{Step: "code.exchange", Metric: "p99.9", Op: "<=", Value: float64(80 * time.Millisecond)}}, ""},
		{"any percentile, whole or with one decimal", "p42<5ms,p99.5<9ms", []Cond{{Metric: "p42", Op: "<", Value: float64(5 * time.Millisecond)}, {Metric: "p99.5", Op: "<", Value: float64(9 * time.Millisecond)}}, ""},
		{"error rate is a percentage", "error_rate<0.1%", []Cond{{Metric: "error_rate", Op: "<", Value: 0.001}}, ""},
		{"max and mean of steps", "connect.max<1s,flow.mean<20ms", []Cond{{Step: "connect", Metric: "max", Op: "<", Value: float64(time.Second)}, {Step: "flow", Metric: "mean", Op: "<", Value: float64(20 * time.Millisecond)}}, ""},
		{"empty is no SLO", "", nil, ""},
		{"beyond p99.9", "p99.99<5ms", nil, `unknown metric "p99.99"`},
		{"p100 is max", "p100<5ms", nil, `unknown metric "p100"`},
		{"unknown metric", "latency<5ms", nil, `unknown metric "latency"`},
		{"a step without a metric", "exchange<5ms", nil, `unknown metric "exchange"`},
		{"no operator", "p99=5ms", nil, "want [STEP.]METRIC<VALUE"},
		{"bad duration", "p99<fast", nil, `"fast" is not a duration`},
		{"bad percentage", "success>=120%", nil, "not a percentage"},
		{"bad error rate", "error_rate<some", nil, "not a percentage"},
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
				require.Equal(t, c.Step, s.Conds[i].Step)
				require.Equal(t, c.Metric, s.Conds[i].Metric)
				require.Equal(t, c.Op, s.Conds[i].Op)
				require.InDelta(t, c.Value, s.Conds[i].Value, 1e-9)
			}
		})
	}
}

// usHist is a latency histogram of 1 µs, 2 µs, … n µs (exact: HDR's
// 3 significant digits hold every value below 2048).
func usHist(n int) *hdrhistogram.Histogram {
	h := newHist()
	for i := 1; i <= n; i++ {
		_ = h.RecordValue(int64(i))
	}
	return h
}

func TestSLOCheck(t *testing.T) {
	ms := map[string]measure{
		"":         {requests: 1000, ok: 995, span: 10 * time.Second, hist: usHist(995)},
		"exchange": {requests: 1000, ok: 999, span: 10 * time.Second, hist: usHist(999)},
		"connect":  {requests: 5, ok: 0, span: 10 * time.Second},
	}
	cases := []struct {
		description string
		slo         string
		wantPass    bool
		wantViol    []string
	}{
		{"a missed success names the value", "p99<1ms,success>=99.9%", false, []string{"success >= 99.900%: got 99.500%"}},
		{"exactly 99.9% meets >=99.9%", "exchange.success>=99.9%", true, nil},
		{"the whole run's p99.9 from the histogram", "p99.9<994µs", false, []string{"p99.9 < 994µs: got 994µs"}},
		{"a step's own percentile", "exchange.p50<=500µs", true, nil},
		{"a step's max", "exchange.max<999µs", false, []string{"exchange.max < 999µs: got 999µs"}},
		{"error rate", "exchange.error_rate<=0.1%,error_rate<0.5%", false, []string{"error_rate < 0.500%: got 0.500%"}},
		{"throughput is valid responses per second", "throughput>=99.5", true, nil},
		{"a latency without a valid response fails", "connect.p99<1ms", false, []string{"connect.p99 < 1ms: got no valid response"}},
		{"a step without requests fails", "seed.success>0%", false, []string{"seed.success > 0.000%: got no requests"}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			s, err := ParseSLO(tc.slo)
			require.NoError(t, err)
			v := s.check(ms)
			require.Equal(t, tc.wantPass, v.Pass, "violations: %v", v.Violations)
			if tc.wantViol != nil {
				require.Equal(t, tc.wantViol, v.Violations)
			}
			require.Len(t, v.Conditions, len(s.Conds), "every condition's outcome is recorded")
		})
	}
	require.Nil(t, SLO{}.check(ms), "no SLO, no verdict")
}

func TestSLOBreachWaitsForEnoughRequests(t *testing.T) {
	s, err := ParseSLO("exchange.p99<10µs,success>=99%")
	require.NoError(t, err)
	ms := map[string]measure{
		"":         {requests: 100, ok: 100, hist: usHist(100)},
		"exchange": {requests: 10, ok: 10, hist: usHist(10)},
	}
	require.Empty(t, s.breach(ms, 50), "10 exchanges are too few to abort on")
	ms["exchange"] = measure{requests: 60, ok: 60, hist: usHist(60)}
	require.Equal(t, "exchange.p99 < 10µs: got 59µs", s.breach(ms, 50))
}

func TestSLOStepsAreChecked(t *testing.T) {
	p, err := profile.Load("ucommerce")
	require.NoError(t, err)
	s, err := ParseSLO("exchange.p99<50ms,flow.p99<1s")
	require.NoError(t, err)
	require.NoError(t, s.CheckSteps(StepNames(p, AuthorizationCode, nil)))
	s, err = ParseSLO("exchnage.p99<50ms")
	require.NoError(t, err)
	require.EqualError(t, s.CheckSteps(StepNames(p, AuthorizationCode, nil)), `slo exchnage.p99: unknown step "exchnage" (this run's steps: connect, exchange, flow)`)
	s, err = ParseSLO("token.p99<50ms")
	require.NoError(t, err)
	o := Options{BaseURL: "http://127.0.0.1", Profile: p, Scenario: AuthorizationCode, Duration: time.Second, SLO: s}
	require.ErrorContains(t, o.validate(), `unknown step "token" (this run's steps: connect, exchange, flow)`, "a run refuses an SLO on a step it does not have")
}

func TestShardSplitsTheRun(t *testing.T) {
	p, err := profile.Load("rfc6749")
	require.NoError(t, err)
	cases := []struct {
		description string
		rate        int
		maxReq      uint64
		ramp        *Ramp
		count       int
		wantRates   []int
		wantMax     []uint64
	}{
		{"an even split", 90, 900, nil, 3, []int{30, 30, 30}, []uint64{300, 300, 300}},
		{"the remainder goes to the first shards", 100, 1001, nil, 3, []int{34, 33, 33}, []uint64{334, 334, 333}},
		{"one shard is the whole run", 7, 70, nil, 1, []int{7}, []uint64{70}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			var rates []int
			var maxes []uint64
			for i := 0; i < tc.count; i++ {
				o := Options{BaseURL: "http://127.0.0.1", Profile: p, Scenario: ClientCredentials, Duration: time.Second, Rate: tc.rate, MaxRequests: tc.maxReq, Shard: &Shard{i, tc.count}}
				require.NoError(t, o.validate())
				rates, maxes = append(rates, o.Rate), append(maxes, o.MaxRequests)
				require.Equal(t, &outputs.LoadShard{Index: i, Count: tc.count, Rate: o.Rate, MaxRequests: o.MaxRequests}, o.shardInfo)
			}
			require.Equal(t, tc.wantRates, rates)
			require.Equal(t, tc.wantMax, maxes)
		})
	}
	o := Options{BaseURL: "http://127.0.0.1", Profile: p, Scenario: ClientCredentials, Duration: time.Second, Rate: 2, Shard: &Shard{2, 3}}
	require.ErrorContains(t, o.validate(), "--rate 2 split over 3 shards leaves shard 2/3 none")
	o = Options{BaseURL: "http://127.0.0.1", Profile: p, Scenario: ClientCredentials, Duration: time.Second, Ramp: &Ramp{From: 10, To: 100, Steps: 2}, Shard: &Shard{0, 3}}
	require.NoError(t, o.validate())
	require.Equal(t, Ramp{From: 4, To: 34, Steps: 2}, *o.Ramp, "a ramp's rates are split too")
	for _, bad := range []string{"3/3", "-1/3", "1", "a/b", "0/0"} {
		_, err := ParseShard(bad)
		require.Error(t, err, bad)
	}
	sh, err := ParseShard("2/3")
	require.NoError(t, err)
	require.Equal(t, filepath.Join("out", "load", "password", "shard-2-of-3"), Options{OutDir: "out", Scenario: Password, Shard: sh}.ResultsDir())
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
