package reference

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testEntry is a stored value with a fixed expiry.
type testEntry struct{ exp time.Time }

func (e *testEntry) expiry() time.Time { return e.exp }

var storeEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestStoreExpiresInOrder(t *testing.T) {
	cases := []struct {
		description string
		lifetimes   []time.Duration // entry i lives lifetimes[i % len]
	}{
		{"one lifetime", []time.Duration{time.Hour}},
		{"three interleaved lifetimes (codes, refresh tokens of several dialects)", []time.Duration{10 * time.Minute, 168 * time.Hour, time.Hour}},
		{"more lifetimes than lanes", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			s := newTTLStore[*testEntry](0)
			exps := map[string]time.Time{}
			for i := 0; i < 3000; i++ {
				now := storeEpoch.Add(time.Duration(i) * 100 * time.Millisecond) // 5 minutes of inserts
				lt := tc.lifetimes[i%len(tc.lifetimes)]
				if lt < time.Second {
					lt *= time.Minute // the small numbers stand for minutes
				}
				key := fmt.Sprintf("k%d", i)
				exps[key] = now.Add(lt)
				s.put(key, &testEntry{exp: now.Add(lt)}, now)
			}
			for _, at := range []time.Duration{5 * time.Minute, 8 * time.Minute, 12 * time.Minute, 30 * time.Minute, 2 * time.Hour, 24 * time.Hour, 200 * time.Hour} {
				now := storeEpoch.Add(at)
				s.purge(now)
				for key, exp := range exps {
					_, ok := s.get(key)
					if now.Before(exp) {
						require.True(t, ok, "at +%s %s (expires %s) must still be there", at, key, exp.Sub(storeEpoch))
					} else if len(tc.lifetimes) <= maxLanes {
						require.False(t, ok, "at +%s %s (expired at +%s) must be purged", at, key, exp.Sub(storeEpoch))
					}
				}
			}
			require.Zero(t, s.len(), "past every lifetime nothing is left")
		})
	}
}

func TestStorePurgeCountsEntriesNotQueueItems(t *testing.T) {
	s := newTTLStore[*testEntry](0)
	for i := 0; i < 100; i++ {
		s.put(fmt.Sprint(i), &testEntry{exp: storeEpoch.Add(time.Minute)}, storeEpoch)
	}
	for i := 0; i < 40; i++ {
		_, ok := s.take(fmt.Sprint(i))
		require.True(t, ok)
	}
	s.put("5", &testEntry{exp: storeEpoch.Add(2 * time.Minute)}, storeEpoch) // replaced after a take
	require.Equal(t, 60, s.purge(storeEpoch.Add(time.Minute)), "taken entries are not counted again")
	_, ok := s.get("5")
	require.True(t, ok, "a re-stored key keeps its own, later expiry")
	require.Equal(t, 1, s.purge(storeEpoch.Add(2*time.Minute)))
}

func TestStoreBound(t *testing.T) {
	cases := []struct {
		description string
		op          func(s *ttlStore[*testEntry], i int, now time.Time)
	}{
		{"sustained inserts", func(s *ttlStore[*testEntry], i int, now time.Time) {
			s.put(fmt.Sprint(i), &testEntry{exp: now.Add(time.Hour)}, now)
		}},
		{"insert and take (rotation)", func(s *ttlStore[*testEntry], i int, now time.Time) {
			s.put(fmt.Sprint(i), &testEntry{exp: now.Add(time.Hour)}, now)
			s.take(fmt.Sprint(i - 1))
		}},
		{"random expiries (revocations)", func(s *ttlStore[*testEntry], i int, now time.Time) {
			s.put(fmt.Sprint(i), &testEntry{exp: now.Add(time.Duration(rand.IntN(3600)) * time.Second)}, now)
		}},
	}
	const bound = shardCount * 4
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			s := newTTLStore[*testEntry](bound)
			for i := 0; i < 20000; i++ {
				now := storeEpoch.Add(time.Duration(i) * time.Millisecond)
				tc.op(s, i, now)
				_, ok := s.get(fmt.Sprint(i))
				require.True(t, ok, "the newest entry is always kept")
			}
			require.LessOrEqual(t, s.len(), bound)
			for i := range s.shards {
				require.LessOrEqual(t, s.shards[i].queued, 2*s.perShard, "queue items stay bounded too")
			}
		})
	}
}

func TestStoreFullForgetsTheOldestFirst(t *testing.T) {
	s := newTTLStore[*testEntry](shardCount * 4)
	const n = 2000
	for i := 0; i < n; i++ {
		now := storeEpoch.Add(time.Duration(i) * time.Millisecond)
		s.put(fmt.Sprint(i), &testEntry{exp: now.Add(time.Hour)}, now)
	}
	kept := map[*ttlShard[*testEntry]]bool{}
	for i := n - 1; i >= 0; i-- {
		key := fmt.Sprint(i)
		_, ok := s.get(key)
		sh := s.shard(key)
		if ok {
			require.False(t, kept[sh], "%s survived although a newer key of its shard was forgotten", key)
		} else {
			kept[sh] = true
		}
	}
}

func TestStoreFullDropsExpiredBeforeLive(t *testing.T) {
	s := newTTLStore[*testEntry](shardCount * 4)
	for i := 0; i < 1000; i++ {
		s.put("old"+fmt.Sprint(i), &testEntry{exp: storeEpoch.Add(time.Minute)}, storeEpoch)
	}
	later := storeEpoch.Add(time.Hour)
	sent, kept := map[*ttlShard[*testEntry]]int{}, map[*ttlShard[*testEntry]]int{}
	for i := 0; i < 64; i++ {
		key := "new" + fmt.Sprint(i)
		s.put(key, &testEntry{exp: later.Add(time.Hour)}, later)
		sent[s.shard(key)]++
	}
	for i := 0; i < 64; i++ {
		key := "new" + fmt.Sprint(i)
		if _, ok := s.get(key); ok {
			kept[s.shard(key)]++
		}
	}
	for sh, n := range sent {
		require.Equal(t, min(n, s.perShard), kept[sh], "a full shard forgets its expired entries before live ones")
	}
}

func TestStoreConcurrentTakeIsExactlyOnce(t *testing.T) {
	s := newTTLStore[*testEntry](1 << 12)
	const keys, workers = 500, 8
	for i := 0; i < keys; i++ {
		s.put(fmt.Sprint(i), &testEntry{exp: storeEpoch.Add(time.Hour)}, storeEpoch)
	}
	var taken atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < keys; i++ {
				if _, ok := s.take(fmt.Sprint(i)); ok {
					taken.Add(1)
				}
				now := storeEpoch.Add(time.Duration(i) * time.Second)
				s.put(fmt.Sprintf("w%d-%d", w, i), &testEntry{exp: now.Add(time.Minute)}, now)
				s.get(fmt.Sprint(i))
				if i%100 == 0 {
					s.purge(now)
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int64(keys), taken.Load(), "each key is taken exactly once")
	s.purge(storeEpoch.Add(time.Hour))
	require.Zero(t, s.len())
}
