package main

import (
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/oauthconf/oauthconf/load"
)

// Environment of a Kubernetes Indexed Job: the pod's index, set by
// Kubernetes, and the shard count, which the manifest sets
// (deploy/kubernetes/load-job.yaml).
const (
	envJobIndex = "JOB_COMPLETION_INDEX"
	envShards   = "OAUTHCONF_SHARDS"
)

// resolveShard is the run's shard: --shard I/N; else $JOB_COMPLETION_INDEX
// of --shards (or $OAUTHCONF_SHARDS); nil for a whole run. An index without
// a count, or a count without an index, is an error: a copy that runs the
// whole rate N times over is the one mistake a distributed run must not make.
func resolveShard(flag string, count int, getenv func(string) string) (*load.Shard, error) {
	if flag != "" {
		sh, err := load.ParseShard(flag)
		if err != nil {
			return nil, fmt.Errorf("load: --shard: %w", err)
		}
		if count > 0 && count != sh.Count {
			return nil, fmt.Errorf("load: --shard %s and --shards %d disagree", flag, count)
		}
		return sh, nil
	}
	idx := getenv(envJobIndex)
	if count == 0 && getenv(envShards) != "" {
		n, err := strconv.Atoi(getenv(envShards))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("load: $%s=%q is not a positive whole number", envShards, getenv(envShards))
		}
		count = n
	}
	switch {
	case idx == "" && count > 0 && getenv(envShards) == "": // --shards alone
		return nil, fmt.Errorf("load: --shards %d needs --shard I/N or $%s", count, envJobIndex)
	case idx == "":
		return nil, nil
	case count == 0:
		return nil, fmt.Errorf("load: $%s=%s is set but not the shard count: give --shards N or $%s", envJobIndex, idx, envShards)
	}
	sh, err := load.ParseShard(idx + "/" + strconv.Itoa(count))
	if err != nil {
		return nil, fmt.Errorf("load: $%s: %w", envJobIndex, err)
	}
	return sh, nil
}

// shardWarning says which shards of a distributed run the result files
// leave out or give twice, judged by their shard-<I>-of-<N> directories
// (load --shard); "" when they are complete or none is a shard's.
func shardWarning(files []string) string {
	re := regexp.MustCompile(`^shard-(\d+)-of-(\d+)$`)
	seen := map[string][]int{} // "of N" → indexes
	for _, f := range files {
		m := re.FindStringSubmatch(filepath.Base(filepath.Dir(f)))
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		seen[m[2]] = append(seen[m[2]], i)
	}
	var problems []string
	for _, n := range slices.Sorted(maps.Keys(seen)) {
		count, _ := strconv.Atoi(n)
		for i := range count {
			switch c := countOf(seen[n], i); {
			case c == 0:
				problems = append(problems, fmt.Sprintf("shard %d/%d is missing", i, count))
			case c > 1:
				problems = append(problems, fmt.Sprintf("shard %d/%d is given %d times", i, count, c))
			}
		}
	}
	if len(seen) > 1 {
		problems = append(problems, "the files come from runs of different shard counts")
	}
	if len(problems) == 0 {
		return ""
	}
	return "load report: " + strings.Join(problems, "; ") + ": the merged totals are not those of the whole run"
}

func countOf(xs []int, x int) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}
