package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// go test ./reports -update rewrites the golden files and the generated fixtures.
var update = flag.Bool("update", false, "rewrite golden files and generated fixtures in testdata/")

// fixtureStart is the (fixed) start of the generated load runs.
var fixtureStart = time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)

// clientCredentialsResults is 300 requests at 100/s for 3s: step "token", latency
// 2ms + (i%50)·0.1ms, every 37th a 500, every 100th (offset 50) a response that
// failed profile validation.
func clientCredentialsResults() []vegeta.Result {
	var rs []vegeta.Result
	for i := range 300 {
		r := vegeta.Result{
			Attack:    "client_credentials/token",
			Seq:       uint64(i),
			Code:      200,
			Timestamp: fixtureStart.Add(time.Duration(i) * 10 * time.Millisecond),
			Latency:   2*time.Millisecond + time.Duration(i%50)*100*time.Microsecond,
			Method:    "POST",
			URL:       "http://127.0.0.1:8080/token",
		}
		switch {
		case i%37 == 36:
			r.Code, r.Error = 500, "500 Internal Server Error"
		case i%100 == 50:
			r.Error = "invalid token response: no access_token string"
		}
		rs = append(rs, r)
	}
	return rs
}

// authorizationCodeResults is 4s of connect+exchange pairs at 50/s; the third
// second is slow (30-40ms), the others 2-3ms.
func authorizationCodeResults() []vegeta.Result {
	var rs []vegeta.Result
	for i := range 200 {
		at := fixtureStart.Add(time.Duration(i) * 20 * time.Millisecond)
		slow := i >= 100 && i < 150
		lat := func(base time.Duration) time.Duration {
			if slow {
				return 10*base + time.Duration(i%10)*time.Millisecond
			}
			return base + time.Duration(i%10)*100*time.Microsecond
		}
		rs = append(rs,
			vegeta.Result{Attack: "authorization_code/connect", Seq: uint64(2 * i), Code: 302, Timestamp: at, Latency: lat(2 * time.Millisecond), Method: "GET"},
			vegeta.Result{Attack: "authorization_code/exchange", Seq: uint64(2*i + 1), Code: 200, Timestamp: at.Add(5 * time.Millisecond), Latency: lat(3 * time.Millisecond), Method: "POST"},
		)
	}
	return rs
}

func encodeResults(t testing.TB, rs []vegeta.Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := vegeta.NewEncoder(&buf)
	for i := range rs {
		require.NoError(t, enc.Encode(&rs[i]))
	}
	return buf.Bytes()
}

// TestGeneratedFixtures keeps the committed results.bin fixtures equal to what the
// generators produce (run with -update to rewrite them).
func TestGeneratedFixtures(t *testing.T) {
	cases := []struct {
		description string
		path        string
		data        []byte
	}{
		{"client_credentials results", "testdata/run/load/client_credentials/results.bin", encodeResults(t, clientCredentialsResults())},
		{"authorization_code results", "testdata/run/load/authorization_code/results.bin", encodeResults(t, authorizationCodeResults())},
		// Cut in the middle of the 101st result: the 100 before it are readable.
		{"truncated results", "testdata/bad/load/truncated/results.bin", truncated(t)},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(tc.path), 0o755))
				require.NoError(t, os.WriteFile(tc.path, tc.data, 0o644))
			}
			got, err := os.ReadFile(tc.path)
			require.NoError(t, err, "run go test ./reports -update to generate it")
			require.Equal(t, tc.data, got, "%s is stale: run go test ./reports -update", tc.path)
		})
	}
}

func truncated(t testing.TB) []byte {
	all := clientCredentialsResults()
	head := encodeResults(t, all[:100])
	full := encodeResults(t, all[:101])
	return full[:len(head)+(len(full)-len(head))/2]
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./reports -update to create %s", path)
	require.Equal(t, string(want), string(got), "%s differs (run go test ./reports -update if the change is intended)", path)
}
