//go:build evacmap_classic && !goexperiment.swissmap

package main

import (
	"fmt"
	"strconv"
	"time"
	"unsafe"
)

// This file is built only for Go's classic map: the lab passes
// -tags evacmap_classic to a Go 1.23 or older, or to Go 1.24/1.25 with
// GOEXPERIMENT=noswissmap. Against a runtime with Swiss maps the tag
// builds nothing (goexperiment.swissmap excludes this file, and the
// program then does not compile), so hmap is never read there; the Swiss
// build (swiss.go) never reads it either.

const flavour = "classic"

// hmap mirrors the header of Go's classic runtime map (runtime/map.go in
// Go 1.19 to 1.23, map_noswiss.go in 1.24 and 1.25). checkLayout verifies
// it against values the program can observe before anything trusts it.
type hmap struct {
	count      int
	flags      uint8
	B          uint8
	noverflow  uint16
	hash0      uint32
	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
	nevacuate  uintptr
	extra      unsafe.Pointer
}

// header returns the runtime header of m: a map value is a pointer to it.
func header(m map[uint64]uint64) *hmap {
	return *(**hmap)(unsafe.Pointer(&m))
}

// bucketBytes is the size of one bucket of map[uint64]uint64: 8 tophash
// bytes, 8 keys, 8 values, the overflow pointer.
const bucketBytes = 8 + 8*8 + 8*8 + 8

// checkLayout inserts keys one by one and checks, after every insert, that
// the header's count equals len(m), that B is the smallest with
// count <= 6.5 * 2^B (max 8 for B = 0) once no growth is running, and that
// a growth that starts has a non-nil oldbuckets and a cursor of 0. Returns
// an error naming what did not match.
func checkLayout() error {
	m := make(map[uint64]uint64)
	h := header(m)
	growing := false
	for i := uint64(0); i < 20000; i++ {
		m[key(12345, i)] = i
		if h.count != len(m) {
			return fmt.Errorf("hmap.count %d != len(m) %d after %d inserts", h.count, len(m), i+1)
		}
		nowGrowing := h.oldbuckets != nil
		if nowGrowing && !growing && h.nevacuate > uintptr(1)<<(h.B-1) {
			return fmt.Errorf("a growth started with nevacuate %d", h.nevacuate)
		}
		growing = nowGrowing
		if !growing {
			cap := 8
			if h.B > 0 {
				cap = 13 * ((1 << h.B) / 2)
			}
			if h.count > cap || (h.B > 0 && h.count <= capAt(h.B-1)) {
				return fmt.Errorf("B = %d does not fit count %d", h.B, h.count)
			}
		}
	}
	if h.B < 10 {
		return fmt.Errorf("B = %d after 20000 inserts", h.B)
	}
	return nil
}

// capAt is Go's capacity before doubling at B: max(8, 13 * (2^B / 2)).
func capAt(b uint8) int {
	c := 13 * ((1 << b) / 2)
	if c < 8 {
		return 8
	}
	return c
}

// growthWatch reports the inserts that start a growth (the header's
// oldbuckets becomes non-nil, or B changes within one write).
type growthWatch struct {
	h       *hmap
	growing bool
	lastB   int
}

func newGrowthWatch(m map[uint64]uint64) *growthWatch {
	h := header(m)
	return &growthWatch{h: h, lastB: int(h.B)}
}

// started is true if the write just made started a growth.
func (w *growthWatch) started() bool {
	g := w.h.oldbuckets != nil
	s := false
	if g != w.growing || int(w.h.B) != w.lastB {
		s = g || !w.growing
	}
	w.growing, w.lastB = g, int(w.h.B)
	return s
}

// eventWatch tells, before each insert, which structural event it will
// do: growth_start when the map is at its load limit (count == 6.5 × 2^B,
// or 8 below B = 1) and no growth is running. (A growth that the overflow
// buckets start, same-size, cannot happen in an insert-only build with
// random keys before the load limit; it is told from the header after
// the insert instead.)
type eventWatch struct {
	h *hmap
}

func newEventWatch(m map[uint64]uint64) *eventWatch {
	return &eventWatch{h: header(m)}
}

// next is the event the insert of an absent key will do, or "".
func (w *eventWatch) next(uint64) string {
	if w.h.oldbuckets == nil && w.h.count >= capAt(w.h.B) && w.h.count >= 8 {
		return "growth_start"
	}
	return ""
}

// oldBytes is the memory Go's old bucket array holds: 2^oldB buckets plus
// the overflow pool of 2^(oldB-4) (before size-class rounding), or 0; and
// the old buckets not yet evacuated.
func oldBytes(h *hmap) (float64, float64) {
	if h.oldbuckets == nil {
		return 0, 0
	}
	oldB := int(h.B) - 1
	if h.flags&8 != 0 { // sameSizeGrow
		oldB = int(h.B)
	}
	nold := 1 << oldB
	pool := 0
	if oldB >= 4 {
		pool = 1 << (oldB - 4)
	}
	return float64((nold + pool) * bucketBytes), float64(nold - int(h.nevacuate))
}

// residency: a write burst until a growth is in progress, 2N reads, then 50
// idle ticks of 1 ms (evacmap_lab::residency's phases). Go has no way to
// evacuate without a write.
func residency() {
	N := *n
	mp := make(map[uint64]uint64)
	h := header(mp)
	start := time.Now()
	op := 0
	sample := func(phase string) {
		b, pending := oldBytes(h)
		fmt.Printf("SAMPLE %s %d %d %g %g\n", phase, op, time.Since(start).Microseconds(), b, pending)
	}
	burst := uint64(0)
	for burst < N || h.oldbuckets == nil {
		k := key(*seed, burst)
		mp[k] = k
		burst++
		op++
		if op%1000 == 0 {
			sample("burst")
		}
	}
	sample("burst")
	found := 0
	for i := uint64(0); i < 2*N; i++ {
		if _, ok := mp[key(*seed, (i*7919)%N)]; ok {
			found++
		}
		op++
		if op%1000 == 0 {
			sample("reads")
		}
	}
	sample("reads")
	for t := 0; t < 50; t++ {
		time.Sleep(time.Millisecond)
		op++
		sample("idle")
	}
	result([][2]string{{"burst", strconv.FormatUint(burst, 10)}, {"found", strconv.Itoa(found)}})
}

// trace: untimed inserts of N keys, then M pairs (insert a new key, delete
// the oldest), reading the header after every write; one TRACE line per
// growth: kind (double or same), the write index (0-based) at which it
// started and at which the old array was released, B before and after.
func trace() {
	N, M := *n, *m
	mp := make(map[uint64]uint64)
	h := header(mp)
	write := 0
	startAt, oldB, kind := -1, 0, ""
	lastB := int(h.B)
	observe := func() {
		if h.count != len(mp) {
			fail("hmap.count %d != len %d: layout changed mid-run", h.count, len(mp))
		}
		growing := h.oldbuckets != nil
		if !growing && startAt < 0 && int(h.B) != lastB {
			// Small tables: the write that starts the growth also
			// evacuates every old bucket (1 or 2 of them).
			fmt.Printf("TRACE double %d %d %d %d\n", write, lastB, h.B, write)
		}
		lastB = int(h.B)
		if growing && startAt < 0 {
			startAt = write
			if h.flags&8 != 0 {
				kind, oldB = "same", int(h.B)
			} else {
				kind, oldB = "double", int(h.B)-1
			}
		} else if !growing && startAt >= 0 {
			fmt.Printf("TRACE %s %d %d %d %d\n", kind, startAt, oldB, h.B, write)
			startAt = -1
		}
		write++
	}
	for i := uint64(0); i < N; i++ {
		mp[key(*seed, i)] = i
		observe()
	}
	for j := uint64(0); j < M; j++ {
		mp[key(*seed, N+j)] = j
		observe()
		delete(mp, key(*seed, j))
		observe()
	}
	if startAt >= 0 {
		fmt.Printf("TRACE %s %d %d %d -1\n", kind, startAt, oldB, h.B)
	}
	result([][2]string{{"writes", strconv.Itoa(write)}, {"len", strconv.Itoa(len(mp))}})
}
