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
// opaque access tokens, revocations); each of a store's shardCount shards holds
// at most a shardCount-th of the bound (at least one entry). When a shard is
// full, an insert first drops expired entries and then forgets the entry
// closest to expiry (for one kind of entry, whose lifetime is fixed, that is
// the oldest). Entries are never refused.
const DefaultMaxEntries = 1 << 20

// maxLanes bounds the expiry queues of one shard; expireSlack is how far out of
// order an entry may join a queue (concurrent inserts race by microseconds).
const (
	maxLanes    = 8
	expireSlack = int64(time.Second)
	// expireOnPut is how many expired entries an insert drops on its way, so
	// that expiry keeps pace with issuance between background purges.
	expireOnPut = 2
)

// expirer is anything stored with an expiry. An entry's expiry must not change
// while it is stored.
type expirer interface{ expiry() time.Time }

// ttlStore is a sharded map whose entries expire. Each shard keeps its keys in
// a few FIFO expiry queues ("lanes") ordered by expiry, so that insert, expiry
// and eviction are O(1) amortised: lifetimes are fixed per kind of entry, so
// entries of one kind arrive in expiry order and share a lane. An entry that
// fits no lane in order joins the lane it delays least and is dropped, at the
// latest, when the entries before it are; lookups check expiry themselves, so
// lateness costs memory, never correctness.
//
// Take is atomic: of many concurrent Takes of one key exactly one succeeds
// (single-use codes, RFC 6749 §4.1.2 and §10.5; rotated refresh tokens, RFC 9700
// §4.14.2). Safe for concurrent use.
type ttlStore[V expirer] struct {
	seed     maphash.Seed
	perShard int
	shards   [shardCount]ttlShard[V]
}

// ttlShard is one lock's worth of the store. Every key in m has an item in a
// lane; items whose key was deleted or replaced are stale and skipped when
// they come up. Stale items count against the queue bound (twice perShard).
type ttlShard[V expirer] struct {
	sync.Mutex
	m      map[string]V
	lanes  [maxLanes]lane
	queued int
}

// queued is one entry's place in a lane; it shares the key's bytes with the map.
type queued struct {
	key string
	exp int64 // UnixNano of the entry's expiry when it was queued
}

// lane is a growable ring of items in (nearly) non-decreasing expiry order.
type lane struct {
	buf  []queued
	head int
	n    int
}

func (l *lane) push(q queued) {
	if l.n == len(l.buf) {
		grown := make([]queued, max(16, 2*len(l.buf)))
		for i := 0; i < l.n; i++ {
			grown[i] = l.buf[(l.head+i)%len(l.buf)]
		}
		l.buf, l.head = grown, 0
	}
	l.buf[(l.head+l.n)%len(l.buf)] = q
	l.n++
}

func (l *lane) front() queued { return l.buf[l.head] }

func (l *lane) tail() int64 { return l.buf[(l.head+l.n-1)%len(l.buf)].exp }

func (l *lane) pop() queued {
	q := l.buf[l.head]
	l.buf[l.head] = queued{} // let the key go
	l.head = (l.head + 1) % len(l.buf)
	l.n--
	if l.n == 0 {
		l.head = 0
		if len(l.buf) > 1024 {
			l.buf = nil // a drained lane gives its memory back
		}
	}
	return q
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

func (s *ttlStore[V]) shard(key string) *ttlShard[V] {
	return &s.shards[maphash.String(s.seed, key)%shardCount]
}

// put stores v under key. now drops expired entries on the way; when the shard
// is full the entry closest to expiry is forgotten first.
func (s *ttlStore[V]) put(key string, v V, now time.Time) {
	sh := s.shard(key)
	sh.Lock()
	sh.expireLocked(now.UnixNano(), expireOnPut)
	for len(sh.m) >= s.perShard || sh.queued >= 2*s.perShard {
		sh.dropSoonestLocked()
	}
	sh.enqueueLocked(queued{key: key, exp: v.expiry().UnixNano()})
	sh.m[key] = v
	sh.Unlock()
}

// enqueueLocked queues q in the lane whose last expiry is the latest not after
// q's (best fit, so that each kind of entry keeps a lane of its own); an empty
// lane fits anything; if no lane fits, q joins the lane whose last expiry is
// the earliest, where it waits least past its own.
func (sh *ttlShard[V]) enqueueLocked(q queued) {
	fit, fitTail := -1, int64(0)
	least, leastTail := 0, int64(0)
	for i := range sh.lanes {
		l := &sh.lanes[i]
		if l.n == 0 {
			if fit < 0 {
				fit, fitTail = i, -1<<63
			}
			continue
		}
		t := l.tail()
		if t <= q.exp+expireSlack && (fit < 0 || t > fitTail) {
			fit, fitTail = i, t
		}
		if i == 0 || t < leastTail {
			least, leastTail = i, t
		}
	}
	if fit < 0 {
		fit = least
	}
	sh.lanes[fit].push(q)
	sh.queued++
}

// popLocked takes the front item of lane i and deletes its entry if the item
// is still the entry's own (not stale); it reports whether it deleted.
func (sh *ttlShard[V]) popLocked(i int) bool {
	q := sh.lanes[i].pop()
	sh.queued--
	v, ok := sh.m[q.key]
	if !ok || v.expiry().UnixNano() != q.exp {
		return false
	}
	delete(sh.m, q.key)
	return true
}

// expireLocked drops entries whose expiry is not after now, at most budget
// queue items (all of them if budget < 0), and returns how many entries went.
func (sh *ttlShard[V]) expireLocked(now int64, budget int) int {
	n := 0
	for i := range sh.lanes {
		l := &sh.lanes[i]
		for l.n > 0 && l.front().exp <= now && budget != 0 {
			if sh.popLocked(i) {
				n++
			}
			budget--
		}
	}
	return n
}

// dropSoonestLocked pops the queue item closest to expiry across the lanes,
// forgetting its entry; it returns false if nothing is queued.
func (sh *ttlShard[V]) dropSoonestLocked() bool {
	soonest := -1
	for i := range sh.lanes {
		if sh.lanes[i].n > 0 && (soonest < 0 || sh.lanes[i].front().exp < sh.lanes[soonest].front().exp) {
			soonest = i
		}
	}
	if soonest < 0 {
		clear(sh.m) // unreachable: every stored key is queued
		return false
	}
	sh.popLocked(soonest)
	return true
}

// get returns the entry under key, expired or not.
func (s *ttlStore[V]) get(key string) (V, bool) {
	sh := s.shard(key)
	sh.Lock()
	v, ok := sh.m[key]
	sh.Unlock()
	return v, ok
}

// take removes and returns the entry under key: of concurrent calls for one key,
// exactly one gets it.
func (s *ttlStore[V]) take(key string) (V, bool) {
	sh := s.shard(key)
	sh.Lock()
	v, ok := sh.m[key]
	if ok {
		delete(sh.m, key)
	}
	sh.Unlock()
	return v, ok
}

// update runs f on the entry under key while holding its shard's lock; f may
// change the entry in place (entries are pointers; not its expiry) and decide
// to delete it.
func (s *ttlStore[V]) update(key string, f func(v V, ok bool) (del bool)) {
	sh := s.shard(key)
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
		n += sh.expireLocked(now.UnixNano(), -1)
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

// Stats counts what the server holds in memory; expired entries stay counted
// until they are purged (by Purge, the background purge, or inserts passing them).
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
