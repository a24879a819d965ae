package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
)

// dirUsage is the usage of --dir of every command that works on a
// repository.
const dirUsage = "root `DIR` of the shared configuration repository (default: the nearest folder holding rtconf.yaml, from the current one up)"

// repoDir is the folder of the repository a command works on: --dir, or
// its one positional DIR when positional, or else the nearest folder from
// the current one up to the filesystem's root that holds the
// configuration file (--config), as git finds its repository. Found
// above the current folder, the folder is relative to it, so that
// messages name files the way the user sees them.
func repoDir(c *cli.Context, positional bool) (string, error) {
	if positional {
		dir, err := dirArg(c)
		if err != nil || c.IsSet("dir") || c.NArg() == 1 {
			return dir, err
		}
	} else if c.IsSet("dir") {
		return c.String("dir"), nil
	}
	return findRepo(c.String("config"))
}

func findRepo(configFile string) (string, error) {
	if configFile == "" || filepath.IsAbs(configFile) {
		return ".", nil
	}
	cwd, err := os.Getwd()
	if err != nil {
		return ".", nil // the command reports the missing file
	}
	for dir := cwd; ; {
		if fi, err := os.Stat(filepath.Join(dir, configFile)); err == nil && !fi.IsDir() {
			if rel, err := filepath.Rel(cwd, dir); err == nil {
				return rel, nil
			}
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", &usageError{fmt.Sprintf("no %s found in %s or any folder above it, up to %s: run rtconf inside the repository, give --dir DIR, or create one with `rtconf init`",
				configFile, cwd, dir)}
		}
		dir = parent
	}
}
