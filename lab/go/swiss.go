//go:build !evacmap_classic

package main

import (
	"fmt"
	"unsafe"
)

// This file is built for Go's Swiss map (Go 1.24 and later without
// GOEXPERIMENT=noswissmap). It never reads the classic header (hmap): a
// Swiss map's header is internal/runtime/maps.Map, mirrored below only to
// see its directory double. Under a runtime whose header differs, the
// check at start-up fails and the program says so instead of guessing.

const flavour = "swiss"

// swissMap mirrors internal/runtime/maps.Map of Go 1.24 and 1.25: entries,
// seed, the directory of tables (dirLen == 1 << globalDepth once the map
// has tables; 0 while it is one small group), and flags.
type swissMap struct {
	used              uint64
	seed              uintptr
	dirPtr            unsafe.Pointer
	dirLen            int
	globalDepth       uint8
	globalShift       uint8
	writing           uint8
	tombstonePossible bool
	clearSeq          uint64
}

func header(m map[uint64]uint64) *swissMap {
	return *(**swissMap)(unsafe.Pointer(&m))
}

// checkLayout inserts 20,000 keys and checks after every insert that the
// header's entry count equals len(m) and that the directory has
// 2^globalDepth entries, never shrinks, and has grown to at least 16
// tables of at most 1,024 slots by the end.
func checkLayout() error {
	m := make(map[uint64]uint64)
	h := header(m)
	last := 0
	for i := uint64(0); i < 20000; i++ {
		m[key(12345, i)] = i
		if h.used != uint64(len(m)) {
			return fmt.Errorf("Map.used %d != len(m) %d after %d inserts", h.used, len(m), i+1)
		}
		if h.dirLen != 0 && h.dirLen != 1<<h.globalDepth {
			return fmt.Errorf("dirLen %d with globalDepth %d", h.dirLen, h.globalDepth)
		}
		if h.dirLen < last {
			return fmt.Errorf("directory shrank from %d to %d", last, h.dirLen)
		}
		last = h.dirLen
	}
	if h.dirLen < 16 {
		return fmt.Errorf("a directory of %d tables after 20000 inserts", h.dirLen)
	}
	return nil
}

// growthWatch reports the inserts that doubled the directory: the only
// step of a Swiss map whose work grows with the map (a copy of the
// directory's pointers). Table splits and table growths (bounded by 1,024
// slots) are not reported.
type growthWatch struct {
	h    *swissMap
	last int
}

func newGrowthWatch(m map[uint64]uint64) *growthWatch {
	h := header(m)
	return &growthWatch{h: h, last: h.dirLen}
}

func (w *growthWatch) started() bool {
	s := w.h.dirLen > w.last && w.last > 0
	w.last = w.h.dirLen
	return s
}

// oldBytes: a Swiss map keeps no old array.
func oldBytes(*swissMap) (float64, float64) { return 0, 0 }

// residency and trace read the classic header's old array and cursor,
// which a Swiss map does not have.
func residency() { fail("-mode residency needs Go's classic map (a Swiss map has no old array)") }
func trace()     { fail("-mode trace needs Go's classic map") }
