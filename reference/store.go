package reference

import (
	"hash/maphash"
	"sync"
	"time"
)

// shardCount spreads the store's locks so that concurrent issuance does not
// serialise on one mutex.
const shardCount = 32

// DefaultMaxEntries bounds each of the server's stores (codes, refresh tokens,
// opaque access tokens, revocations). Past it, expired entries are purged and,
// if that is not enough, the entries closest to expiry are forgotten first.
const DefaultMaxEntries = 1 << 20

// expirer is anything stored with an expiry.
type expirer interface{ expiry() time.Time }

// ttlStore is a sharded map whose entries expire. Take is atomic: of many
// concurrent Takes of one key exactly one succeeds (single-use codes, RFC 6749
// §4.1.2; rotated refresh tokens, RFC 9700 §4.14.2). Safe for concurrent use.
type ttlStore[V expirer] struct {
	seed     maphash.Seed
	perShard int
	shards   [shardCount]struct {
		sync.Mutex
		m map[string]V
	}
}

func newTTLStore[V expirer](maxEntries int) *ttlStore[V] {
	if maxEntries <= 0 {
		maxEntries = DefaultMaxEntries
	}
	s := &ttlStore[V]{seed: maphash.MakeSeed(), perShard: max(1, maxEntries/shardCount)}
	for i := range s.shards {
		s.shards[i].m = make(map[string]V)
	}
	return s
}

func (s *ttlStore[V]) shard(key string) int {
	return int(maphash.String(s.seed, key) % shardCount)
}

// put stores v under key; now is used to purge a full shard.
func (s *ttlStore[V]) put(key string, v V, now time.Time) {
	sh := &s.shards[s.shard(key)]
	sh.Lock()
	if len(sh.m) >= s.perShard {
		purgeLocked(sh.m, now)
		for len(sh.m) >= s.perShard {
			evictSoonestLocked(sh.m)
		}
	}
	sh.m[key] = v
	sh.Unlock()
}

// get returns the entry under key, expired or not.
func (s *ttlStore[V]) get(key string) (V, bool) {
	sh := &s.shards[s.shard(key)]
	sh.Lock()
	v, ok := sh.m[key]
	sh.Unlock()
	return v, ok
}

// take removes and returns the entry under key: of concurrent calls for one key,
// exactly one gets it.
func (s *ttlStore[V]) take(key string) (V, bool) {
	sh := &s.shards[s.shard(key)]
	sh.Lock()
	v, ok := sh.m[key]
	if ok {
		delete(sh.m, key)
	}
	sh.Unlock()
	return v, ok
}

// update runs f on the entry under key while holding its shard's lock; f may
// change the entry in place (entries are pointers) and decide to delete it.
func (s *ttlStore[V]) update(key string, f func(v V, ok bool) (del bool)) {
	sh := &s.shards[s.shard(key)]
	sh.Lock()
	v, ok := sh.m[key]
	if f(v, ok) && ok {
		delete(sh.m, key)
	}
	sh.Unlock()
}

// purge removes every entry that expired before now and returns how many.
func (s *ttlStore[V]) purge(now time.Time) int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.Lock()
		n += purgeLocked(sh.m, now)
		sh.Unlock()
	}
	return n
}

// len counts the entries, expired or not.
func (s *ttlStore[V]) len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.Lock()
		n += len(sh.m)
		sh.Unlock()
	}
	return n
}

func purgeLocked[V expirer](m map[string]V, now time.Time) int {
	n := 0
	for k, v := range m {
		if !now.Before(v.expiry()) {
			delete(m, k)
			n++
		}
	}
	return n
}

func evictSoonestLocked[V expirer](m map[string]V) {
	var (
		victim string
		soon   time.Time
		first  = true
	)
	for k, v := range m {
		if first || v.expiry().Before(soon) {
			victim, soon, first = k, v.expiry(), false
		}
	}
	delete(m, victim)
}

// Stats counts what the server holds in memory; expired entries stay counted
// until the next purge.
type Stats struct {
	Codes         int // authorization codes, live and used (kept to detect replay)
	RefreshTokens int // refresh tokens, live and rotated (kept to detect replay)
	OpaqueTokens  int // opaque access tokens (Elastic Path)
	Revoked       int // revoked JWT ids not yet expired
}

// Stats reports the sizes of the server's stores.
func (s *Server) Stats() Stats {
	return Stats{
		Codes:         s.codes.len(),
		RefreshTokens: s.refresh.len(),
		OpaqueTokens:  s.opaque.len(),
		Revoked:       s.revoked.len(),
	}
}

// Purge removes every expired entry now and returns how many went. The server
// also purges in the background every PurgeInterval.
func (s *Server) Purge() int {
	now := s.now()
	n := s.codes.purge(now) + s.refresh.purge(now) + s.opaque.purge(now) + s.revoked.purge(now)
	if s.rfc.login != nil {
		n += s.rfc.login.purge(now)
	}
	return n
}
