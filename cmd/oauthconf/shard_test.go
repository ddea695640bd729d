package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/load"
	"github.com/oauthconf/oauthconf/reports"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestDistributedLoad is issue 14 item 8's acceptance: three shards of one
// run (load --shard I/3) against the reference on loopback, at the same
// time, then merged by load report --slo: the shards' rates and request
// bounds add up to the run's, the merged total is the sum of the shards',
// and the merged run is judged by the SLO (exit 0 met, 1 missed, 2 for a
// step the run does not have).
func TestDistributedLoad(t *testing.T) {
	base, stop, err := startEmbeddedReference()
	require.NoError(t, err)
	defer stop()
	out := t.TempDir()
	const shards, rate, maxRequests = 3, 61, 80
	var wg sync.WaitGroup
	codes, stderrs := make([]int, shards), make([]string, shards)
	for i := range shards {
		wg.Go(func() {
			codes[i], _, stderrs[i] = runCLI(context.Background(), "load", "--target", base, "--profile", "rfc6749", "--demo-credentials",
				"--rate", strconv.Itoa(rate), "--max-requests", strconv.Itoa(maxRequests), "--duration", "2s",
				"--shard", fmt.Sprintf("%d/%d", i, shards), "--quiet", "--out", out)
		})
	}
	wg.Wait()
	var files []string
	var sumRate, sumReq int
	var sumMax uint64
	for i := range shards {
		require.Equal(t, 0, codes[i], "shard %d: %s", i, stderrs[i])
		dir := filepath.Join(out, "load", load.ClientCredentials, fmt.Sprintf("shard-%d-of-%d", i, shards))
		require.Contains(t, stderrs[i], "load: results in "+dir, "each shard writes its own directory")
		var rep outputs.LoadReport
		require.NoError(t, json.Unmarshal(mustReadFile(t, filepath.Join(dir, outputs.LoadReportName)), &rep))
		require.NotNil(t, rep.Shard, "report.json records the shard")
		require.Equal(t, []int{i, shards}, []int{rep.Shard.Index, rep.Shard.Count})
		sumRate, sumMax, sumReq = sumRate+rep.Shard.Rate, sumMax+rep.Shard.MaxRequests, sumReq+int(rep.Requests)
		files = append(files, filepath.Join(dir, "results.bin"))
	}
	require.Equal(t, rate, sumRate, "the shards' rates add up to --rate")
	require.Equal(t, uint64(maxRequests), sumMax, "the shards' request bounds add up to --max-requests")
	require.Equal(t, maxRequests, sumReq, "each shard stopped at its bound (2 s at its rate is more)")

	merged := filepath.Join(t.TempDir(), "merged")
	args := append([]string{"load", "report", "--slo", "success>=99%,token.p99<5s", "--out", merged}, files...)
	code, stdout, stderr := runCLI(context.Background(), args...)
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
	require.Contains(t, stdout, "SLO success>=99%,token.p99<5s  PASS")
	m := regexp.MustCompile(`Requests\s+\[total, rate, throughput\]\s+(\d+),`).FindStringSubmatch(stdout)
	require.NotNil(t, m, stdout)
	require.Equal(t, strconv.Itoa(sumReq), m[1], "the merged total is the sum of the shards'")
	var rep outputs.LoadReport
	require.NoError(t, json.Unmarshal(mustReadFile(t, filepath.Join(merged, "load", load.ClientCredentials, outputs.LoadReportName)), &rep))
	require.Equal(t, uint64(sumReq), rep.Requests)
	require.True(t, rep.SLO.Pass)
	merge, err := load.Merge([]string{filepath.Join(merged, "load", load.ClientCredentials, "results.bin")}, load.MergeOptions{})
	require.NoError(t, err)
	require.Equal(t, uint64(sumReq), merge.Requests, "the merged results.bin holds every shard's results")
	run, problems := reports.Build(context.Background(), merged)
	require.Empty(t, problems)
	require.Len(t, run.Load, 1)
	require.Equal(t, sumReq, run.Load[0].Requests, "the merged report reads the merged results.bin")
	require.Len(t, run.Load[0].Steps, 1, "its step table")
	require.NotEmpty(t, run.Load[0].Steps[0].Series, "its timeline")

	require.NotContains(t, stderr, "missing", "all three shards were merged")
	code, _, stderr = runCLI(context.Background(), "load", "report", files[0], files[2])
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "shard 1/3 is missing", "a merge that leaves a shard out says so")

	args = append([]string{"load", "report", "--slo", "token.p50<1ns"}, files...)
	code, stdout, stderr = runCLI(context.Background(), args...)
	require.Equal(t, 1, code, "a missed SLO on the merged run exits 1: %s", stderr)
	require.Contains(t, stdout, "SLO token.p50<1ns  FAIL: token.p50 < 1ns: got")
	require.Contains(t, stderr, "SLO missed")

	args = append([]string{"load", "report", "--slo", "exchange.p99<1s"}, files...)
	code, _, stderr = runCLI(context.Background(), args...)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `unknown step "exchange" (this run's steps: token)`)
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

func TestResolveShard(t *testing.T) {
	cases := []struct {
		description string
		flag        string
		count       int
		env         map[string]string
		want        *load.Shard
		wantErr     string
	}{
		{"no shard: a whole run", "", 0, nil, nil, ""},
		{"--shard I/N", "1/3", 0, nil, &load.Shard{Index: 1, Count: 3}, ""},
		{"an Indexed Job's index with --shards", "", 4, map[string]string{"JOB_COMPLETION_INDEX": "3"}, &load.Shard{Index: 3, Count: 4}, ""},
		{"an Indexed Job's index with OAUTHCONF_SHARDS", "", 0, map[string]string{"JOB_COMPLETION_INDEX": "0", "OAUTHCONF_SHARDS": "2"}, &load.Shard{Index: 0, Count: 2}, ""},
		{"--shard wins over the environment", "0/2", 0, map[string]string{"JOB_COMPLETION_INDEX": "1", "OAUTHCONF_SHARDS": "2"}, &load.Shard{Index: 0, Count: 2}, ""},
		{"an index without a count", "", 0, map[string]string{"JOB_COMPLETION_INDEX": "1"}, nil, "not the shard count: give --shards N or $OAUTHCONF_SHARDS"},
		{"an index beyond the count", "", 2, map[string]string{"JOB_COMPLETION_INDEX": "2"}, nil, "want 0 ≤ I < N"},
		{"--shards without an index", "", 3, nil, nil, "--shards 3 needs --shard I/N or $JOB_COMPLETION_INDEX"},
		{"--shard and --shards disagree", "1/3", 4, nil, nil, "disagree"},
		{"a bad --shard", "3", 0, nil, nil, "want I/N"},
		{"a bad OAUTHCONF_SHARDS", "", 0, map[string]string{"JOB_COMPLETION_INDEX": "0", "OAUTHCONF_SHARDS": "many"}, nil, "not a positive whole number"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			got, err := resolveShard(tc.flag, tc.count, func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestLoadSLOAbort: --slo-abort stops a breached run at the first check
// after its grace, exits 1 and says when and why.
func TestLoadSLOAbort(t *testing.T) {
	start := time.Now()
	code, stdout, stderr := runCLI(context.Background(), "load", "--rate", "40", "--duration", "1m", "--quiet", "--slo", "p50<1ns", "--slo-abort")
	require.Equal(t, 1, code, "stdout: %s\nstderr: %s", stdout, stderr)
	require.Less(t, time.Since(start), 30*time.Second, "stopped long before its minute")
	require.Regexp(t, `Aborted: SLO breached at [\d.]+s: p50 < 1ns: got \S+ \(--slo-abort\)`, stdout)
	require.Contains(t, stderr, "SLO missed")

	code, _, stderr = runCLI(context.Background(), "load", "--slo-abort")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--slo-abort needs an --slo")
}

// TestLoadJobManifest checks deploy/kubernetes/load-job.yaml as a user
// applying it would rely on: an Indexed Job whose completions, parallelism
// and OAUTHCONF_SHARDS agree, whose args are flags load accepts, writing to
// the mounted volume, and whose target is a cluster-internal placeholder.
func TestLoadJobManifest(t *testing.T) {
	var job struct {
		Spec struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Parallelism    int    `yaml:"parallelism"`
			Template       struct {
				Spec struct {
					RestartPolicy string `yaml:"restartPolicy"`
					Containers    []struct {
						Args []string `yaml:"args"`
						Env  []struct {
							Name  string `yaml:"name"`
							Value string `yaml:"value"`
						} `yaml:"env"`
						VolumeMounts []struct {
							MountPath string `yaml:"mountPath"`
						} `yaml:"volumeMounts"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	raw := mustReadFile(t, filepath.Join("..", "..", "deploy", "kubernetes", "load-job.yaml"))
	require.NoError(t, yaml.Unmarshal(raw, &job))
	require.Contains(t, string(raw), "MUST ONLY TARGET SERVERS YOU OWN")
	s := job.Spec
	require.Equal(t, "Indexed", s.CompletionMode)
	require.Equal(t, s.Completions, s.Parallelism, "every shard runs at the same time")
	require.Equal(t, "Never", s.Template.Spec.RestartPolicy)
	require.Len(t, s.Template.Spec.Containers, 1)
	c := s.Template.Spec.Containers[0]
	shards := ""
	for _, e := range c.Env {
		if e.Name == envShards {
			shards = e.Value
		}
	}
	require.Equal(t, strconv.Itoa(s.Completions), shards, "OAUTHCONF_SHARDS is the completion count")
	require.Equal(t, "load", c.Args[0])
	cmd := newLoadCmd()
	require.NoError(t, cmd.ParseFlags(c.Args[1:]), "every arg is a load flag")
	out, _ := cmd.Flags().GetString("out")
	require.Len(t, c.VolumeMounts, 1)
	require.Equal(t, c.VolumeMounts[0].MountPath, out, "the results go to the shared volume")
	target, _ := cmd.Flags().GetString("target")
	require.Regexp(t, `^http://[a-z-]+\.[a-z-]+\.svc\.cluster\.local:\d+$`, target, "a cluster-internal placeholder")
	got, err := resolveShard("", 0, func(k string) string {
		return map[string]string{envJobIndex: "2", envShards: shards}[k]
	})
	require.NoError(t, err)
	require.Equal(t, &load.Shard{Index: 2, Count: s.Completions}, got, "the last pod is the last shard")
}

func TestShardWarning(t *testing.T) {
	bin := func(i, n int) string {
		return filepath.Join("out", "load", "client_credentials", fmt.Sprintf("shard-%d-of-%d", i, n), "results.bin")
	}
	cases := []struct {
		description string
		files       []string
		want        string
	}{
		{"every shard once", []string{bin(0, 3), bin(2, 3), bin(1, 3)}, ""},
		{"files of whole runs", []string{"a/results.bin", "b/results.bin"}, ""},
		{"a missing shard", []string{bin(0, 3), bin(2, 3)}, "load report: shard 1/3 is missing: the merged totals are not those of the whole run"},
		{"a shard twice", []string{bin(0, 2), bin(1, 2), bin(1, 2)}, "load report: shard 1/2 is given 2 times: the merged totals are not those of the whole run"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			require.Equal(t, tc.want, shardWarning(tc.files))
		})
	}
}
