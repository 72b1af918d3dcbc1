// Command evacmap-lab-go runs the evacmap lab's workloads on Go's own
// classic map (map[uint64]uint64 and map[string]uint64), with the lab's
// key generator bit for bit, and prints machine-readable lines that
// `lab` parses:
//
//	RESULT map=NAME key=value ...   one per run
//	CURVE nines ns                  latency by percentile (pause)
//	SLOW index ns                   inserts slower than 20 µs (pause)
//	GROWTH index                    inserts that started a growth (pause)
//	SAMPLE phase op micros old_bytes old_pending   (residency)
//	TRACE kind start_write oldB newB end_write     (trace)
//
//	KEY i key path                                  (keys: the generator's output)
//
// Modes: throughput, build, pause, residency, trace, keys. Only the
// standard library is used.
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
	"time"
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
	mode  = flag.String("mode", "throughput", "throughput, build, pause, residency, trace or keys")
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
		throughput(false)
	case "build":
		throughput(true)
	case "pause":
		pause()
	case "residency":
		residency()
	case "trace":
		trace()
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

// throughput: the lab's child phases (evacmap_lab::child).
func throughput(buildOnly bool) {
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

// quantile is the smallest sample v such that at least q of the samples
// are <= v (what HdrHistogram's value_at_quantile reports).
func quantile(sorted []int64, q float64) int64 {
	if q >= 1 {
		return sorted[len(sorted)-1]
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return sorted[i]
}

func latencyResult(label string, lat []int64, argmax int) {
	var sum float64
	for _, v := range lat {
		sum += float64(v)
	}
	sorted := append([]int64(nil), lat...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	saved := *name
	*name = label
	result([][2]string{
		{"p50_ns", num(float64(quantile(sorted, 0.5)))},
		{"p99_ns", num(float64(quantile(sorted, 0.99)))},
		{"p99.9_ns", num(float64(quantile(sorted, 0.999)))},
		{"p99.99_ns", num(float64(quantile(sorted, 0.9999)))},
		{"max_ns", num(float64(quantile(sorted, 1)))},
		{"mean_ns", num(sum / float64(len(lat)))},
		{"argmax", strconv.Itoa(argmax)},
	})
	*name = saved
	maxNines := math.Log10(math.Max(float64(len(lat)), 2))
	for _, nines := range []float64{0, 0.5, 1, 2, 3, 4, 5, 6} {
		if nines < maxNines {
			fmt.Printf("CURVE %s %g %d\n", label, nines, quantile(sorted, 1-math.Pow(10, -nines)))
		}
	}
	fmt.Printf("CURVE %s %g %d\n", label, maxNines, sorted[len(sorted)-1])
}

// pause: every insert timed with runtime.nanotime, and the timer's floor
// with the same clock.
func pause() {
	N := *n
	keys := make([]uint64, N)
	for i := range keys {
		keys[i] = key(*seed, uint64(i))
	}
	floor := make([]int64, N)
	for i := range floor {
		t0 := nanotime()
		floor[i] = nanotime() - t0
	}
	lat := make([]int64, N)
	mp := make(map[uint64]uint64)
	h := header(mp)
	argmax := 0
	growing, lastB := false, int(h.B)
	var growths []int
	for i, k := range keys {
		t0 := nanotime()
		mp[k] = k
		d := nanotime() - t0
		lat[i] = d
		if d > lat[argmax] {
			argmax = i
		}
		if g := h.oldbuckets != nil; g != growing || int(h.B) != lastB {
			if g || !growing {
				growths = append(growths, i)
			}
			growing, lastB = g, int(h.B)
		}
	}
	runtime.KeepAlive(mp)
	latencyResult(*name, lat, argmax)
	fargmax := 0
	for i, v := range floor {
		if v > floor[fargmax] {
			fargmax = i
		}
	}
	latencyResult(*name+"-timer-floor", floor, fargmax)
	for i, d := range lat {
		if d > slowNs {
			fmt.Printf("SLOW %d %d\n", i, d)
		}
	}
	for _, i := range growths {
		fmt.Printf("GROWTH %d\n", i)
	}
}

// oldBytes is the memory Go's old bucket array holds: 2^oldB buckets plus
// the overflow pool of 2^(oldB-4) (before size-class rounding), or 0.
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
