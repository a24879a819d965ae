package workspace

import (
	"fmt"
	"os"

	"github.com/rtconf/rtconf/writer"
)

// openTree opens the repository at dir and first rolls back any write an
// earlier run left unfinished (killed between its first and last change),
// so that what is read and planned is a whole tree.
func openTree(dir string) (*os.Root, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	if _, err := writer.Recover(root); err != nil {
		root.Close()
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return root, nil
}

// faultSeam lets tests put a failing file system between a job and the
// tree it writes; nil writes to the tree itself.
type faultSeam func(writer.FS) writer.FS

func (f faultSeam) fs(root *os.Root) writer.FS {
	if f == nil {
		return root
	}
	return f(root)
}
