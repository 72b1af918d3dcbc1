// Command evacmap-lab-go runs the evacmap lab's workloads on Go's own
// map (map[uint64]uint64 and map[string]uint64), classic or Swiss, with the lab's
// key generator bit for bit, and prints machine-readable lines that
// `lab` parses:
//
//	RESULT map=NAME key=value ...   one per run
//	CURVE nines ns                  latency by percentile (pause)
//	SLOW index ns                   inserts slower than 20 µs (pause)
//	GROWTH index                    inserts that started a growth (classic) or doubled the directory (Swiss) (pause)
//	EVENT kind index ns             each insert that did a structural event, in insert order (pause)
//	SAMPLE phase op micros old_bytes old_pending   (residency)
//	TRACE kind start_write oldB newB end_write     (trace)
//
//	KEY i key path                                  (keys: the generator's output)
//
// Modes: throughput, lookups (throughput without the path-string map),
// build, pause, residency, trace (classic map only), keys, info. Only the standard library is used.
//
// The same source builds for either of Go's maps: with -tags
// evacmap_classic it reads the classic map's header (classic.go; the lab
// builds it so with Go <= 1.23, or 1.24/1.25 and
// GOEXPERIMENT=noswissmap); without, for the Swiss map (swiss.go), it
// never touches hmap. `-mode info` prints which one was built.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// mix is splitmix64's output function.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// key is the lab's key number i of the stream with this seed
// (evacmap_lab::keys::key).
func key(seed, i uint64) uint64 {
	return mix(seed + (i+1)*0x9E3779B97F4A7C15)
}

var dirs = [16]string{"usr", "lib", "var", "log", "srv", "data", "home", "opt", "etc", "tmp", "cache", "spool", "share", "local", "run", "mnt"}

// pathKey is evacmap_lab::keys::path_key.
func pathKey(seed, i uint64) string {
	k := key(seed, i)
	return fmt.Sprintf("/%s/%s/%016x.log", dirs[k&15], dirs[(k>>4)&15], k)
}

// shuffled is evacmap_lab::keys::shuffled_indices.
func shuffled(n int, seed uint64) []int {
	v := make([]int, n)
	for i := range v {
		v[i] = i
	}
	for i := n - 1; i >= 1; i-- {
		j := int(key(seed, uint64(i)) % uint64(i+1))
		v[i], v[j] = v[j], v[i]
	}
	return v
}

func missSeed(seed uint64) uint64    { return seed ^ 0xA5A5A5A5A5A5A5A5 }
func shuffleSeed(seed uint64) uint64 { return seed + 0x5151 }

const slowNs = 20000

var (
	mode  = flag.String("mode", "throughput", "throughput, lookups, build, pause, residency, trace, keys or info")
	n     = flag.Uint64("n", 1000000, "keys")
	m     = flag.Uint64("m", 0, "trace: insert+delete pairs after the fill (churn)")
	seed  = flag.Uint64("seed", 1, "key stream seed")
	gc    = flag.String("gc", "off", "off: GC disabled during the map phases (debug.SetGCPercent(-1)); on: Go's default")
	thp   = flag.String("thp", "on", "off: prctl(PR_SET_THP_DISABLE) at start-up")
	name  = flag.String("name", "go", "the map's name in RESULT lines")
	noMap = flag.Bool("baseline", false, "build nothing: the baseline process for peak RSS")
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "evacmap-lab-go: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	flag.Parse()
	if *thp == "off" {
		const prSetThpDisable = 41
		if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetThpDisable, 1, 0, 0, 0, 0); e != 0 {
			fail("prctl(PR_SET_THP_DISABLE): %v", e)
		}
	}
	if err := checkLayout(); err != nil {
		fail("unexpected map header layout in %s: %v", runtime.Version(), err)
	}
	runtime.GC()
	if *gc == "off" {
		debug.SetGCPercent(-1)
	} else if *gc != "on" {
		fail("-gc must be on or off, got %q", *gc)
	}
	switch *mode {
	case "throughput":
		throughput(false, true)
	case "lookups":
		throughput(false, false)
	case "build":
		throughput(true, false)
	case "pause":
		pause()
	case "residency":
		residency()
	case "trace":
		trace()
	case "info":
		fmt.Printf("FLAVOUR %s %s\n", flavour, runtime.Version())
	case "keys":
		for i := uint64(0); i < *n; i++ {
			fmt.Printf("KEY %d %d %s\n", i, key(*seed, i), pathKey(*seed, i))
		}
	default:
		fail("unknown -mode %q", *mode)
	}
}

func perOp(start int64, n uint64) float64 {
	return float64(nanotime()-start) / float64(n)
}

// procKiB reads a "Name: N kB" line of a /proc file, in bytes.
func procBytes(path, field string) float64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				v, _ := strconv.ParseFloat(f[1], 64)
				return v * 1024
			}
		}
	}
	return 0
}

func result(fields [][2]string) {
	var b strings.Builder
	fmt.Fprintf(&b, "RESULT map=%s", *name)
	for _, f := range fields {
		fmt.Fprintf(&b, " %s=%s", f[0], f[1])
	}
	fmt.Println(b.String())
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// throughput: the lab's child phases (evacmap_lab::child): the build,
// then unless buildOnly the hits and misses, then with paths the
// path-string map.
func throughput(buildOnly, paths bool) {
	N := *n
	fields := [][2]string{}
	if *noMap {
		fields = append(fields, [2]string{"hwm_bytes", num(procBytes("/proc/self/status", "VmHWM"))})
		result(fields)
		return
	}
	mp := make(map[uint64]uint64)
	t := nanotime()
	for i := uint64(0); i < N; i++ {
		mp[key(*seed, i)] = i
	}
	fields = append(fields, [2]string{"build_ns", num(perOp(t, N))})
	fields = append(fields, [2]string{"hwm_bytes", num(procBytes("/proc/self/status", "VmHWM"))})
	fields = append(fields, [2]string{"thp_bytes", num(procBytes("/proc/self/smaps_rollup", "AnonHugePages"))})
	if uint64(len(mp)) != N {
		fail("%d of %d keys stored", len(mp), N)
	}
	if !buildOnly {
		order := shuffled(int(N), shuffleSeed(*seed))
		hits := make([]uint64, N)
		for j, i := range order {
			hits[j] = key(*seed, uint64(i))
		}
		t = nanotime()
		found := 0
		for _, k := range hits {
			if _, ok := mp[k]; ok {
				found++
			}
		}
		fields = append(fields, [2]string{"hit_ns", num(perOp(t, N))})
		if uint64(found) != N {
			fail("hit phase found %d of %d", found, N)
		}
		hits = nil
		misses := make([]uint64, N)
		for i := range misses {
			misses[i] = key(missSeed(*seed), uint64(i))
		}
		t = nanotime()
		found = 0
		for _, k := range misses {
			if _, ok := mp[k]; ok {
				found++
			}
		}
		fields = append(fields, [2]string{"miss_ns", num(perOp(t, N))})
		if found != 0 {
			fail("miss phase found %d", found)
		}
		misses = nil
		mp = nil
		if !paths {
			result(fields)
			return
		}
		pm := make(map[string]uint64)
		t = nanotime()
		for i := uint64(0); i < N; i++ {
			pm[pathKey(*seed, i)] = i
		}
		fields = append(fields, [2]string{"path_build_ns", num(perOp(t, N))})
		// Fresh copies: lookups cannot short-cut on the inserted strings'
		// pointers.
		copies := make([]string, N)
		for j, i := range order {
			copies[j] = pathKey(*seed, uint64(i))
		}
		t = nanotime()
		found = 0
		for _, k := range copies {
			if _, ok := pm[k]; ok {
				found++
			}
		}
		fields = append(fields, [2]string{"path_hit_ns", num(perOp(t, N))})
		if uint64(found) != N {
			fail("path hit phase found %d of %d", found, N)
		}
		runtime.KeepAlive(pm)
	}
	runtime.KeepAlive(mp)
	result(fields)
}

// latencies is an exact record of many latencies in constant memory: a
// count per nanosecond below exactLimit, and the rare larger values kept
// one by one, plus the slowest inserts' indices for the timeline.
type latencies struct {
	counts [exactLimit]uint32
	big    []int64
	n      uint64
	sum    float64
	max    int64
	argmax uint64
	slow   [][2]int64
}

// exactLimit: values below 1 ms are counted per nanosecond (4 MiB).
const exactLimit = 1 << 20

// slowCap bounds the SLOW lines (the lab keeps the slowest 5,000 per map).
const slowCap = 200000

func (l *latencies) record(d int64) {
	if d < 0 {
		d = 0
	}
	if d < exactLimit {
		l.counts[d]++
	} else {
		l.big = append(l.big, d)
	}
	if d > l.max || l.n == 0 {
		l.max, l.argmax = d, l.n
	}
	if d > slowNs && len(l.slow) < slowCap {
		l.slow = append(l.slow, [2]int64{int64(l.n), d})
	}
	l.sum += float64(d)
	l.n++
}

// quantile is the smallest recorded value v such that at least q of the
// values are <= v (what HdrHistogram's value_at_quantile reports).
func (l *latencies) quantile(q float64) int64 {
	if q >= 1 || l.n == 0 {
		return l.max
	}
	rank := uint64(math.Ceil(q * float64(l.n)))
	if rank < 1 {
		rank = 1
	}
	seen := uint64(0)
	for v, c := range l.counts {
		seen += uint64(c)
		if seen >= rank {
			return int64(v)
		}
	}
	sort.Slice(l.big, func(i, j int) bool { return l.big[i] < l.big[j] })
	return l.big[rank-seen-1]
}

// print writes the RESULT line and the CURVE points of one record.
func (l *latencies) print(label string) {
	saved := *name
	*name = label
	result([][2]string{
		{"p50_ns", num(float64(l.quantile(0.5)))},
		{"p99_ns", num(float64(l.quantile(0.99)))},
		{"p99.9_ns", num(float64(l.quantile(0.999)))},
		{"p99.99_ns", num(float64(l.quantile(0.9999)))},
		{"max_ns", num(float64(l.max))},
		{"mean_ns", num(l.sum / float64(l.n))},
		{"argmax", strconv.FormatUint(l.argmax, 10)},
	})
	*name = saved
	maxNines := math.Log10(math.Max(float64(l.n), 2))
	for _, nines := range []float64{0, 0.5, 1, 2, 3, 4, 5, 6, 7} {
		if nines < maxNines {
			fmt.Printf("CURVE %s %g %d\n", label, nines, l.quantile(1-math.Pow(10, -nines)))
		}
	}
	fmt.Printf("CURVE %s %g %d\n", label, maxNines, l.max)
}

// pause: every insert timed with runtime.nanotime, and the timer's floor
// (as many empty pairs of the same clock). Keys are made on the fly and
// latencies counted in constant memory, so that 10^8 inserts fit.
func pause() {
	N := *n
	floor := new(latencies)
	for i := uint64(0); i < N; i++ {
		t0 := nanotime()
		floor.record(nanotime() - t0)
	}
	lat := new(latencies)
	mp := make(map[uint64]uint64)
	watch := newGrowthWatch(mp)
	events := newEventWatch(mp)
	type event struct {
		kind string
		i    uint64
		d    int64
	}
	var evs []event
	var growths []uint64
	for i := uint64(0); i < N; i++ {
		k := key(*seed, i)
		ev := events.next(k)
		t0 := nanotime()
		mp[k] = k
		d := nanotime() - t0
		lat.record(d)
		if ev != "" {
			evs = append(evs, event{ev, i, d})
		}
		if watch.started() {
			growths = append(growths, i)
		}
	}
	if uint64(len(mp)) != N {
		fail("%d of %d keys stored", len(mp), N)
	}
	runtime.KeepAlive(mp)
	lat.print(*name)
	floor.print(*name + "-timer-floor")
	for _, s := range lat.slow {
		fmt.Printf("SLOW %d %d\n", s[0], s[1])
	}
	for _, i := range growths {
		fmt.Printf("GROWTH %d\n", i)
	}
	for _, e := range evs {
		fmt.Printf("EVENT %s %d %d\n", e.kind, e.i, e.d)
	}
}
