//go:build !unix

package repofs

// nonBlock is 0 where there are no FIFOs to wait on; Open's Lstat refuses
// any file that is not regular.
const nonBlock = 0
