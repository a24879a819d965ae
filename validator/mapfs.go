package validator

import (
	"testing/fstest"
)

// mapFS serves files held in memory as an fs.FS.
func mapFS(files map[string][]byte) fstest.MapFS {
	m := make(fstest.MapFS, len(files))
	for p, data := range files {
		m[p] = &fstest.MapFile{Data: data}
	}
	return m
}
