package workspace

import (
	"fmt"
	"os"

	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/status"
)

// Status reads the repository in dir and reports what each runtime still
// needs.
func Status(dir, configFile string) (status.Report, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return status.Report{}, fmt.Errorf("open repository: %w", err)
	}
	defer root.Close()
	cfg, err := loadConfig(root, dir, configFile)
	if err != nil {
		return status.Report{}, err
	}
	return status.Compute(repofs.FS(root), cfg)
}
