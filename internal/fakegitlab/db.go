package fakegitlab

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// db is what the fake knows, built from Options and changed by writes.
type db struct {
	start      time.Time
	users      map[string]*user      // by lower-case username
	namespaces map[string]*namespace // by lower-case full path
	nsByID     map[int64]*namespace
	projects   []*project // in order of creation
	tokens     map[string]*token
	created    []string // path_with_namespace of projects created through the API

	nextProject, nextNamespace, nextProtection, nextMR int64
}

type user struct {
	id int64
	User
	ns *namespace
}

type token struct {
	id int64
	Token
	user     *user
	lastUsed time.Time // zero: never
}

// namespace is a group or a user's personal namespace.
type namespace struct {
	id       int64
	kind     string // "group" or "user"
	fullPath string
	name     string
	parent   *namespace
	group    *Group // kind "group"
	owner    *user  // kind "user"
}

type project struct {
	id int64
	Project
	ns        *namespace
	path      string // the last segment of PathWithNamespace
	cloneURL  string // from Options.CloneURL, once
	createdAt time.Time
	protected []*protection // in order of creation
	mrs       []*mergeRequest
}

func newDB(o Options, start time.Time) (*db, error) {
	d := &db{start: start, users: map[string]*user{}, namespaces: map[string]*namespace{},
		nsByID: map[int64]*namespace{}, tokens: map[string]*token{}, nextProject: 1000, nextNamespace: 100}
	for _, u := range o.Users {
		if u.Username == "" || d.users[strings.ToLower(u.Username)] != nil {
			return nil, fmt.Errorf("user %q is empty or repeated", u.Username)
		}
		d.addUser(u)
	}
	for i, t := range o.Tokens {
		if t.Value == "" || t.User == "" || d.tokens[t.Value] != nil {
			return nil, fmt.Errorf("token %d needs a Value and a User, and its own value", i)
		}
		t.Scopes = slices.Clone(t.Scopes)
		if t.Name == "" {
			t.Name = "token"
		}
		if t.CreatedAt.IsZero() {
			t.CreatedAt = start
		}
		d.tokens[t.Value] = &token{id: int64(i + 1), Token: t, user: d.userNamed(t.User)}
	}
	for _, g := range o.Groups {
		if err := d.addGroup(g); err != nil {
			return nil, err
		}
	}
	for _, p := range o.Projects {
		if _, err := d.addProject(p); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// userNamed returns the user, creating one (not a bot) if it is not known.
func (d *db) userNamed(name string) *user {
	if u := d.users[strings.ToLower(name)]; u != nil {
		return u
	}
	return d.addUser(User{Username: name})
}

func (d *db) addUser(u User) *user {
	if u.Name == "" {
		u.Name = u.Username
	}
	nu := &user{id: int64(len(d.users) + 1), User: u}
	nu.ns = d.addNamespace(&namespace{kind: "user", fullPath: u.Username, name: u.Name, owner: nu})
	d.users[strings.ToLower(u.Username)] = nu
	return nu
}

func (d *db) addNamespace(ns *namespace) *namespace {
	d.nextNamespace++
	ns.id = d.nextNamespace
	d.namespaces[strings.ToLower(ns.fullPath)] = ns
	d.nsByID[ns.id] = ns
	return ns
}

func (d *db) addGroup(g Group) error {
	key := strings.ToLower(g.FullPath)
	if g.FullPath == "" || d.namespaces[key] != nil {
		return fmt.Errorf("group %q is empty or repeated (or a username)", g.FullPath)
	}
	parentPath, name, nested := cutLast(g.FullPath)
	var parent *namespace
	if nested {
		parent = d.namespaces[strings.ToLower(parentPath)]
		if parent == nil || parent.kind != "group" {
			return fmt.Errorf("group %q: its parent group %q is not listed before it", g.FullPath, parentPath)
		}
	}
	if g.Name == "" {
		g.Name = name
	}
	if g.Visibility == "" {
		g.Visibility = "private"
	}
	if g.ProjectCreationLevel == "" {
		g.ProjectCreationLevel = "maintainer"
	}
	g.Members = lowerKeys(g.Members)
	for m := range g.Members {
		d.userNamed(m)
	}
	d.addNamespace(&namespace{kind: "group", fullPath: g.FullPath, name: g.Name, parent: parent, group: &g})
	return nil
}

func (d *db) addProject(p Project) (*project, error) {
	nsPath, path, ok := cutLast(p.PathWithNamespace)
	ns := d.namespaces[strings.ToLower(nsPath)]
	if ok && ns == nil && !strings.Contains(nsPath, "/") {
		ns = d.userNamed(nsPath).ns // a user named only by the project's namespace
	}
	if !ok || ns == nil {
		return nil, fmt.Errorf("project %q: its namespace %q is neither a group nor a user", p.PathWithNamespace, nsPath)
	}
	if d.project(p.PathWithNamespace) != nil {
		return nil, fmt.Errorf("project %q is repeated", p.PathWithNamespace)
	}
	if p.Name == "" {
		p.Name = path
	}
	if p.Visibility == "" {
		p.Visibility = "private"
	}
	if p.DefaultBranch == "" {
		p.DefaultBranch = "main"
	}
	p.Members = lowerKeys(p.Members)
	for m := range p.Members {
		d.userNamed(m)
	}
	d.nextProject++
	np := &project{id: d.nextProject, Project: p, ns: ns, path: path, createdAt: d.start}
	d.projects = append(d.projects, np)
	return np, nil
}

// project finds a project by the :id of a path: its numeric ID or its full
// path (any case).
func (d *db) project(id string) *project {
	for _, p := range d.projects {
		if strings.EqualFold(p.PathWithNamespace, id) || fmt.Sprint(p.id) == id {
			return p
		}
	}
	return nil
}

// namespace finds a namespace by numeric ID or full path.
func (d *db) namespace(id string) *namespace {
	for _, ns := range d.nsByID {
		if strings.EqualFold(ns.fullPath, id) || fmt.Sprint(ns.id) == id {
			return ns
		}
	}
	return nil
}

// groupAccess is u's strongest role in ns and its ancestors' groups.
func groupAccess(u *user, ns *namespace) int {
	level := NoAccess
	for ; u != nil && ns != nil; ns = ns.parent {
		if ns.group != nil {
			level = max(level, ns.group.Members[strings.ToLower(u.Username)])
		}
	}
	return level
}

// projectAccess is u's direct role in p: its membership, or Owner of a
// project in u's own namespace.
func projectAccess(u *user, p *project) int {
	if u == nil {
		return NoAccess
	}
	if p.ns.owner == u {
		return Owner
	}
	return p.Members[strings.ToLower(u.Username)]
}

// access is u's effective role in p.
func access(u *user, p *project) int { return max(projectAccess(u, p), groupAccess(u, p.ns)) }

// visible reports whether u (nil: anonymous) may see p: public projects to
// everyone, internal ones to any signed-in user, private ones to members.
func visible(u *user, p *project) bool {
	switch p.Visibility {
	case "public":
		return true
	case "internal":
		return u != nil
	}
	return access(u, p) >= Guest
}

func cutLast(path string) (before, last string, ok bool) {
	i := strings.LastIndex(path, "/")
	if i < 0 {
		return "", path, false
	}
	return path[:i], path[i+1:], path[:i] != "" && path[i+1:] != ""
}

func lowerKeys(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range maps.All(m) {
		out[strings.ToLower(k)] = v
	}
	return out
}
