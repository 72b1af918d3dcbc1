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
// tables of at most 1,024 slots by the end; then that the event
// predictions of eventWatch hold insert by insert (checkEvents).
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
	return checkEvents()
}

// growthWatch reports the inserts that doubled the directory (the
// GROWTH lines of the timeline).
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

// swissTable mirrors the head of internal/runtime/maps.table of Go 1.24
// and 1.25: entries, slots, slots left before a rehash, the table's depth
// in the directory, and the first directory entry that points at it.
type swissTable struct {
	used       uint16
	capacity   uint16
	growthLeft uint16
	localDepth uint8
	index      int
}

// maxTableCapacity is internal/runtime/maps.maxTableCapacity: a table
// this large splits instead of growing.
const maxTableCapacity = 1024

// mapType mirrors the head of internal/abi.SwissMapType: abi.Type (48
// bytes on 64-bit), the key, element and group types, then the hash
// function.
type mapType struct {
	typ    [48]byte
	key    unsafe.Pointer
	elem   unsafe.Pointer
	group  unsafe.Pointer
	hasher func(unsafe.Pointer, uintptr) uintptr
}

// eface is an interface value's two words.
type eface struct {
	typ  *mapType
	data unsafe.Pointer
}

// eventWatch tells, before each insert of a key that is not in the map,
// which structural event the insert will do, from the map's header and
// the table the key hashes to (the map's own hash function and seed):
//   - small_growth: the map is one group of 8 full slots and becomes a
//     table (growToTable);
//   - table_growth: the key's table has no slot left and fewer than 1,024
//     slots: it is rehashed into one twice its size;
//   - table_split: the key's table has no slot left and 1,024 slots: it
//     splits in two;
//   - directory_growth: a split whose table is at the directory's depth:
//     the directory doubles too (counted as this, not as table_split).
type eventWatch struct {
	h      *swissMap
	hasher func(unsafe.Pointer, uintptr) uintptr
}

func newEventWatch(m map[uint64]uint64) *eventWatch {
	var i interface{} = m
	t := (*eface)(unsafe.Pointer(&i)).typ
	return &eventWatch{h: header(m), hasher: t.hasher}
}

// next is the event the insert of the absent key k will do, or "".
func (w *eventWatch) next(k uint64) string {
	h := w.h
	if h.dirLen == 0 {
		if h.dirPtr != nil && h.used == 8 {
			return "small_growth"
		}
		return ""
	}
	hash := w.hasher(unsafe.Pointer(&k), h.seed)
	idx := uintptr(0)
	if h.dirLen > 1 {
		idx = hash >> (h.globalShift & 63)
	}
	t := *(**swissTable)(unsafe.Add(h.dirPtr, unsafe.Sizeof(uintptr(0))*idx))
	if t.growthLeft > 0 {
		return ""
	}
	if t.capacity < maxTableCapacity {
		return "table_growth"
	}
	if t.localDepth == h.globalDepth {
		return "directory_growth"
	}
	return "table_split"
}

// directory is the map's directory of tables (a table appears once per
// directory entry that points at it).
func (w *eventWatch) directory() []*swissTable {
	if w.h.dirLen == 0 {
		return nil
	}
	return unsafe.Slice((**swissTable)(w.h.dirPtr), w.h.dirLen)
}

// tables counts the distinct tables of the directory and sums their
// slots: a table covers the 2^(globalDepth - localDepth) entries from its
// index on.
func (w *eventWatch) tables() (tables, slots int) {
	dir := w.directory()
	for i := 0; i < len(dir); i += 1 << (w.h.globalDepth - dir[i].localDepth) {
		if dir[i].index != i {
			return -1, -1 // not the layout checkLayout expects
		}
		tables++
		slots += int(dir[i].capacity)
	}
	return tables, slots
}

// checkEvents inserts keys one by one and checks every prediction of
// eventWatch against what the header shows after the insert: a split
// adds exactly one table, a directory growth doubles the directory, a
// table growth adds the table's capacity in slots and no table, and no
// prediction means no change.
func checkEvents() error {
	m := make(map[uint64]uint64)
	w := newEventWatch(m)
	counts := map[string]int{}
	for i := uint64(0); i < 20000; i++ {
		k := key(54321, i)
		ev := w.next(k)
		tables, slots := w.tables()
		dir := w.h.dirLen
		m[k] = i
		t2, s2 := w.tables()
		d2 := w.h.dirLen
		ok := true
		switch ev {
		case "":
			ok = t2 == tables && s2 == slots && d2 == dir
		case "small_growth":
			ok = dir == 0 && d2 == 1
		case "table_growth":
			ok = t2 == tables && s2 > slots && d2 == dir
		case "table_split":
			ok = t2 == tables+1 && d2 == dir
		case "directory_growth":
			ok = t2 == tables+1 && d2 == 2*dir
		}
		if !ok {
			return fmt.Errorf("insert %d: predicted %q, but tables %d -> %d, slots %d -> %d, directory %d -> %d",
				i, ev, tables, t2, slots, s2, dir, d2)
		}
		counts[ev]++
	}
	for _, ev := range []string{"small_growth", "table_growth", "table_split", "directory_growth"} {
		if counts[ev] == 0 {
			return fmt.Errorf("no %s in 20000 inserts", ev)
		}
	}
	return nil
}

// oldBytes: a Swiss map keeps no old array.
func oldBytes(*swissMap) (float64, float64) { return 0, 0 }

// residency and trace read the classic header's old array and cursor,
// which a Swiss map does not have.
func residency() { fail("-mode residency needs Go's classic map (a Swiss map has no old array)") }
func trace()     { fail("-mode trace needs Go's classic map") }
