package main

import _ "unsafe" // go:linkname

// nanotime is the runtime's monotonic clock, the cheapest clock a Go
// program can read (time.Now also reads the wall clock); about what
// Rust's Instant::now costs.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64
