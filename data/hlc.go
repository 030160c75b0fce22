package data

import (
	"sync"
	"time"
)

// HLC is a hybrid logical clock value: wall-clock milliseconds in the high 48 bits and a logical counter in
// the low 16. Every change the store makes is stamped with one, so that a later sync between devices can
// order edits even when their wall clocks disagree (see shared/reference/multi-device-sync.md).
type HLC int64

// Time is the wall-clock part of the value.
func (h HLC) Time() time.Time { return time.UnixMilli(int64(h) >> 16).UTC() }

// Logical is the counter part of the value.
func (h HLC) Logical() uint16 { return uint16(int64(h) & 0xffff) }

func newHLC(ms int64, logical uint16) HLC { return HLC(ms<<16 | int64(logical)) }

// maxRemoteSkew bounds how far ahead of our wall clock a remote stamp may pull us.
const maxRemoteSkew = 5 * time.Minute

// clock issues HLC values for one device. It is safe for concurrent use.
type clock struct {
	mu   sync.Mutex
	last HLC
}

// tick returns a value greater than every value issued or observed before.
func (c *clock) tick(now time.Time) HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	ms := now.UnixMilli()
	lastMS := int64(c.last) >> 16
	switch {
	case ms > lastMS:
		c.last = newHLC(ms, 0)
	case c.last.Logical() == 0xffff:
		c.last = newHLC(lastMS+1, 0)
	default:
		c.last++
	}
	return c.last
}

// observe merges a value seen from another device. It returns false, without moving the clock, when the
// remote value is implausibly far ahead of our wall clock: trusting it would stamp every later local edit
// into the future.
func (c *clock) observe(remote HLC, now time.Time) bool {
	if remote.Time().Sub(now) > maxRemoteSkew {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if remote > c.last {
		c.last = remote
	}
	return true
}
