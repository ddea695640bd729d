package load

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/oauthconf/oauthconf/internal/outputs"
	"github.com/oauthconf/oauthconf/profile"
)

// Shard is one of Count copies of a run that together make one run
// (load --shard I/N, or Kubernetes' JOB_COMPLETION_INDEX in an Indexed Job):
// Index is 0-based, 0 ≤ Index < Count.
type Shard struct{ Index, Count int }

// ParseShard reads I/N (0 ≤ I < N), e.g. 0/3, 1/3, 2/3.
func ParseShard(s string) (*Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	idx, err1 := strconv.Atoi(strings.TrimSpace(i))
	cnt, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil {
		return nil, fmt.Errorf("shard %q: want I/N, e.g. 0/3 (I counts from 0, as JOB_COMPLETION_INDEX)", s)
	}
	sh := &Shard{Index: idx, Count: cnt}
	return sh, sh.check()
}

func (s *Shard) check() error {
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("shard %d/%d: want 0 ≤ I < N (I counts from 0, as JOB_COMPLETION_INDEX)", s.Index, s.Count)
	}
	return nil
}

// String is I/N.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// share is shard i's part of total split over n: total/n, one more for the
// first total%n shards, so that the parts add up to total exactly.
func share(total uint64, i, n int) uint64 {
	q, r := total/uint64(n), total%uint64(n)
	if uint64(i) < r {
		q++
	}
	return q
}

// applyShard gives a sharded run its share of the rate (and of a ramp's
// rates) and of a given MaxRequests; a share of nothing is an error, since
// a rate of 0 means as fast as possible.
func (o *Options) applyShard() error {
	if o.Shard == nil {
		return nil
	}
	sh := *o.Shard
	if err := sh.check(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	part := func(what string, v int) (int, error) {
		p := int(share(uint64(v), sh.Index, sh.Count))
		if v > 0 && p == 0 {
			return 0, fmt.Errorf("load: %s %d split over %d shards leaves shard %s none; give at least %d", what, v, sh.Count, sh, sh.Count)
		}
		return p, nil
	}
	o.share = 1 / float64(sh.Count)
	if o.Rate > 0 && o.Ramp == nil {
		o.share = float64(share(uint64(o.Rate), sh.Index, sh.Count)) / float64(o.Rate)
	}
	var err error
	if o.Rate, err = part("--rate", o.Rate); err != nil {
		return err
	}
	if o.Ramp != nil {
		r := *o.Ramp
		if r.From, err = part("--ramp FROM", r.From); err != nil {
			return err
		}
		if r.To, err = part("--ramp TO", r.To); err != nil {
			return err
		}
		o.Ramp = &r
	}
	if o.MaxRequests > 0 {
		m, err := part("--max-requests", int(min(o.MaxRequests, 1<<62)))
		if err != nil {
			return err
		}
		o.MaxRequests = uint64(m)
	}
	o.shardInfo = &outputs.LoadShard{Index: sh.Index, Count: sh.Count, Rate: o.Rate}
	return nil
}

// ResultsDir is where the run writes: OutDir/load/<scenario>/, and for a
// shard its own OutDir/load/<scenario>/shard-<I>-of-<N>/ (so that shards
// writing to one volume never mix, and `load report` merges them).
func (o Options) ResultsDir() string {
	dir := filepath.Join(o.OutDir, "load", o.Scenario)
	if o.Shard != nil {
		dir = filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d", o.Shard.Index, o.Shard.Count))
	}
	return dir
}

// StepNames lists the steps a run of scenario (with mix weights) reports,
// as an SLO names them ([STEP.]METRIC): token for single-request grants;
// connect, exchange and flow for the authorization-code flow; seed (or
// seed-connect, seed-exchange and flow) and token for refresh chains; for a
// mix, each component's steps after its short name (cc.token,
// code.exchange, …) and flow when one has code flows.
func StepNames(p *profile.Profile, scenario string, mix map[string]int) []string {
	if scenario != Mix {
		return componentSteps(p, scenario, "")
	}
	short := map[string]string{}
	for a, full := range mixAliases {
		short[full] = a
	}
	seen := map[string]bool{}
	var out []string
	for sc := range mix {
		for _, st := range componentSteps(p, sc, short[sc]+".") {
			if !seen[st] {
				seen[st] = true
				out = append(out, st)
			}
		}
	}
	return out
}

func componentSteps(p *profile.Profile, scenario, prefix string) []string {
	switch scenario {
	case AuthorizationCode:
		return []string{prefix + stepConnect, prefix + stepExchange, FlowStep}
	case RefreshToken:
		if p.Supports(Password) {
			return []string{prefix + stepSeed, prefix + stepToken}
		}
		return []string{prefix + stepSeed + "-" + stepConnect, prefix + stepSeed + "-" + stepExchange, prefix + stepToken, FlowStep}
	}
	return []string{prefix + stepToken}
}
