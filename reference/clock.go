package reference

import (
	"sync/atomic"
	"time"
)

// Clock tells the time. Every expiry decision of the server goes through it, so
// tests can move time forward instead of sleeping.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now implements Clock.
func (f ClockFunc) Now() time.Time { return f() }

// WallClock is the system's wall-clock time.
type WallClock struct{}

// Now implements Clock.
func (WallClock) Now() time.Time { return time.Now() }

// OffsetClock is a base clock plus an offset that only grows: it keeps moving
// with real time and can be advanced (the --test-clock mode). Safe for concurrent use.
type OffsetClock struct {
	base   Clock
	offset atomic.Int64 // nanoseconds
}

// NewOffsetClock returns an OffsetClock over base (WallClock if nil).
func NewOffsetClock(base Clock) *OffsetClock {
	if base == nil {
		base = WallClock{}
	}
	return &OffsetClock{base: base}
}

// Now implements Clock.
func (c *OffsetClock) Now() time.Time {
	return c.base.Now().Add(time.Duration(c.offset.Load()))
}

// Advance moves the clock forward by d (negative d is ignored) and returns the new time.
func (c *OffsetClock) Advance(d time.Duration) time.Time {
	if d > 0 {
		c.offset.Add(int64(d))
	}
	return c.Now()
}
