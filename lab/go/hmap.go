package main

import (
	"fmt"
	"unsafe"
)

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
