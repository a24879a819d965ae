//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package repolock

import (
	"fmt"
	"path/filepath"
	"runtime"
)

type handle struct{}

// tryLock refuses: without flock(2) rtconf cannot keep two runs apart, and
// it does not write without that.
func tryLock(dir string) (*handle, error) {
	return nil, fmt.Errorf("lock %s: rtconf locks a repository with flock(2), which is not available on %s", filepath.Join(dir, File), runtime.GOOS)
}

func (h *handle) release() error { return nil }
