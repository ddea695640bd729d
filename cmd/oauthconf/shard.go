package main

import (
	"fmt"
	"strconv"

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
	case idx == "" && count > 0 && flag == "" && getenv(envShards) == "":
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
