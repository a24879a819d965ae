package config

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/jsonpointer"
)

// isDNSLabel reports a valid runtime or cluster name (an RFC 1123 label:
// ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$); the schema reports others. It is
// a loop, not that regular expression, whose compilation at every start
// of rtconf cost more than a whole seal's parse.
func isDNSLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// maxNameLength is the longest Kubernetes label value; Argo CD tracks the
// resources of an Application by a label holding its name.
const maxNameLength = 63

// reservedClusterName is the file name of the runtime's own cluster.
const reservedClusterName = "in-cluster"

// kustomizationName would clash with runtimes/<runtime>/kustomization.yaml.
const kustomizationName = "kustomization"

// checks applies the rules a JSON Schema cannot express. It reads cfg as
// decoded leniently, so it must not assume the schema's rules hold.
func checks(cfg *Config) []Problem {
	c := checker{cfg: cfg}
	c.repository()
	c.sealing()
	c.runtimes()
	return c.problems
}

type checker struct {
	cfg      *Config
	problems []Problem
}

func (c *checker) add(ptr, msg, hint string) {
	c.problems = append(c.problems, Problem{
		File:     c.cfg.File,
		Position: c.cfg.pos.value(ptr),
		Field:    jsonpointer.FieldPath(ptr),
		Message:  msg,
		Hint:     hint,
	})
}

func (c *checker) line(ptr string) int { return c.cfg.pos.value(ptr).Line }

func (c *checker) repository() {
	r := c.cfg.Repository
	// The URL, path and API rules are the provider's; the schema reports
	// a provider rtconf does not know.
	f, err := providers.For(r.Provider)
	if err != nil {
		return
	}
	repoURL := c.httpsURL("/repository/url", r.URL)
	if repoURL != nil {
		if _, _, hint := f.RepoPath(repoURL.Path); hint != "" {
			c.add("/repository/url", fmt.Sprintf("%s is not a repository URL", quoteURL(repoURL)), hint)
		}
	}
	if r.Revision != "" {
		if why := BranchNameProblem(r.Revision); why != "" {
			c.add("/repository/revision", fmt.Sprintf("%q is not a Git branch name: %s", r.Revision, why),
				"write the name of the branch Argo CD tracks and CI validates, e.g. main (`git check-ref-format --branch NAME` tells)")
		}
	}
	if r.APIURL != "" && c.httpsURL("/repository/apiURL", r.APIURL) != nil {
		// The token goes to this API: it must be the one of the
		// repository's own host (the rule is the provider's, used where
		// the API is called too).
		var he *forge.HostError
		if _, err := f.AllowedAPIURL(r.URL, r.APIURL); errors.As(err, &he) {
			c.add("/repository/apiURL", he.Reason, he.Hint)
		}
	}
}

// httpsURL checks that s is an absolute https URL without credentials and
// returns it parsed, or nil after adding a problem.
func (c *checker) httpsURL(ptr, s string) *url.URL {
	if s == "" {
		return nil // the schema reports missing and empty values
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		c.add(ptr, "not a valid URL", "write an https:// URL, without credentials")
		return nil
	case strings.Contains(s, "{{"):
		c.add(ptr, "the URL contains \"{{\"", "remove it: the sealed-secrets controller would run it as a template")
		return nil
	case u.Scheme != "https":
		return nil // the schema's pattern reports it
	case u.User != nil:
		c.add(ptr, "URL contains credentials", "remove the user:password@ part; tokens are never written to rtconf.yaml, rtconf seals them")
		return nil
	case u.Host == "":
		c.add(ptr, fmt.Sprintf("%s has no host", quoteValue(s)), "write https://HOST/…")
		return nil
	case u.RawQuery != "" || u.Fragment != "":
		c.add(ptr, fmt.Sprintf("%s is followed by a query or fragment, which may hold a token", quoteURL(u)), "remove everything from '?' or '#' on")
		return nil
	}
	return u
}

func (c *checker) sealing() {
	cert := c.cfg.Sealing.Certificate
	if cert == "" {
		return
	}
	if strings.Contains(cert, `\`) || path.IsAbs(cert) || !isLocal(cert) {
		c.add("/sealing/certificate", fmt.Sprintf("%q is not a path inside the repository", cert),
			"write a relative path without '..', e.g. certs/sealed-secrets.pem")
	}
}

func isLocal(p string) bool {
	clean := path.Clean(p)
	return clean != "." && clean != ".." && !strings.HasPrefix(clean, "../")
}

func (c *checker) runtimes() {
	names := map[string]string{}    // runtime name -> its pointer
	places := map[string]string{}   // server+namespace -> pointer
	appNames := map[string]string{} // argo namespace/app name -> pointer
	for i, rt := range c.cfg.Runtimes {
		ptr := "/runtimes/" + strconv.Itoa(i)
		dupName := false
		if rt.Name != "" {
			if prev, dup := names[rt.Name]; dup {
				dupName = true
				c.add(ptr+"/name", fmt.Sprintf("duplicate runtime name %q (first at line %d)", rt.Name, c.line(prev+"/name")),
					"runtime names must be unique; rename or remove one")
			} else {
				names[rt.Name] = ptr
			}
		}
		server := rt.Server
		if server == "" {
			server = DefaultServer
		}
		c.httpsURL(ptr+"/server", rt.Server)
		if rt.Namespace != "" {
			key := strings.TrimSuffix(server, "/") + " " + rt.Namespace
			if prev, dup := places[key]; dup {
				c.add(ptr+"/namespace", fmt.Sprintf("namespace %q on %s is already used by the runtime at line %d", rt.Namespace, server, c.line(prev)),
					"give each runtime a namespace of its own")
			} else {
				places[key] = ptr
			}
		}
		c.clusters(ptr, rt)
		c.users(ptr, rt)
		if !dupName && isDNSLabel(rt.Name) {
			c.appNames(ptr, rt, appNames)
		}
	}
}

func (c *checker) clusters(ptr string, rt Runtime) {
	seen := map[string]int{}
	for j, cl := range rt.ManagedClusters {
		cptr := ptr + "/managedClusters/" + strconv.Itoa(j)
		c.httpsURL(cptr+"/server", cl.Server)
		switch prev, dup := seen[cl.Name]; {
		case cl.Name == reservedClusterName:
			c.add(cptr+"/name", fmt.Sprintf("cluster name %q is reserved for the runtime's own cluster", cl.Name),
				"choose another name")
		case cl.Name == kustomizationName:
			c.add(cptr+"/name", fmt.Sprintf("cluster name %q is reserved: runtimes/%s/kustomization.yaml is rtconf's", cl.Name, rt.Name),
				"choose another name")
		case dup:
			c.add(cptr+"/name", fmt.Sprintf("duplicate cluster name %q in runtime %q (first at line %d)", cl.Name, rt.Name, c.line(ptr+"/managedClusters/"+strconv.Itoa(prev)+"/name")),
				"cluster names must be unique within a runtime")
		case cl.Name != "":
			seen[cl.Name] = j
		}
	}
}

func (c *checker) users(ptr string, rt Runtime) {
	seen := map[string]int{}
	for j, login := range rt.Users {
		key := strings.ToLower(login)
		if prev, dup := seen[key]; dup && login != "" {
			c.add(fmt.Sprintf("%s/users/%d", ptr, j),
				fmt.Sprintf("user %q is listed twice in runtime %q (first at line %d)", login, rt.Name, c.line(fmt.Sprintf("%s/users/%d", ptr, prev))),
				"remove one; GitHub logins are case-insensitive")
			continue
		}
		seen[key] = j
	}
}

// appNames checks the names of the Argo CD Applications the runtime will
// have: they share the Argo CD namespace with other runtimes' and must fit
// in a label value.
func (c *checker) appNames(ptr string, rt Runtime, taken map[string]string) {
	if rt.Name == "" {
		return
	}
	ns := c.cfg.ArgoNamespace(rt)
	server := strings.TrimSuffix(rt.Server, "/")
	if server == "" {
		server = DefaultServer
	}
	check := func(name, at string) {
		if len(name) > maxNameLength {
			c.add(at, fmt.Sprintf("Application name %q would be %d characters, over the %d Kubernetes allows in a label value", name, len(name), maxNameLength),
				"shorten the runtime or cluster name")
			return
		}
		key := server + " " + ns + "/" + name // one Argo CD per cluster and namespace
		if prev, dup := taken[key]; dup {
			c.add(at, fmt.Sprintf("Application name %q in namespace %q is also generated for the entry at line %d", name, ns, c.line(prev)),
				"rename the runtime or the cluster")
			return
		}
		taken[key] = at
	}
	check(AppName(rt), ptr+"/name")
	check(InClusterAppName(rt), ptr+"/name")
	for j, cl := range rt.ManagedClusters {
		if cl.Name != "" && cl.Name != reservedClusterName {
			check(ClusterAppName(rt, cl), ptr+"/managedClusters/"+strconv.Itoa(j)+"/name")
		}
	}
}

// quoteURL quotes a URL for a message without its credentials or query,
// which may hold a token.
func quoteURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.ForceQuery = false
	c.Fragment = ""
	return fmt.Sprintf("%q", c.String())
}
