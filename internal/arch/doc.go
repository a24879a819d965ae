// Package arch holds the test of rtconf's architecture: which package may
// import which (see the README's Architecture section).
package arch
