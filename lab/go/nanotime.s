// Empty: lets nanotime.go declare runtime.nanotime (through go:linkname)
// without a body.
