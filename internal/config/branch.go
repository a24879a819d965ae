package config

import (
	"fmt"
	"strings"
)

// BranchNameProblem says why name is not a Git branch name, or returns ""
// when it is one. The rules are those of `git check-ref-format --branch`
// run outside a repository (git-check-ref-format(1)): refs/heads/NAME must
// be a valid reference name, NAME must not start with '-', and it must not
// be HEAD.
func BranchNameProblem(name string) string {
	switch {
	case name == "":
		return "it is empty"
	case name[0] == '-':
		return "it starts with '-'"
	case name == "HEAD":
		return "HEAD is not a branch"
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c < 0x20 || c == 0x7f:
			return fmt.Sprintf("it contains the control character %q at byte %d", string(c), i+1)
		case strings.IndexByte(" ~^:?*[\\", c) >= 0:
			return fmt.Sprintf("it contains %q, which Git does not allow in a branch name", string(c))
		}
	}
	switch {
	case strings.Contains(name, ".."):
		return "it contains '..'"
	case strings.Contains(name, "@{"):
		return "it contains '@{'"
	case strings.HasSuffix(name, "."):
		return "it ends with '.'"
	}
	for _, part := range strings.Split(name, "/") {
		switch {
		case part == "":
			return "it starts or ends with '/', or has '//'"
		case part[0] == '.':
			return fmt.Sprintf("its part %q starts with '.'", part)
		case strings.HasSuffix(part, ".lock"):
			return fmt.Sprintf("its part %q ends with .lock", part)
		}
	}
	return ""
}
