package validator

import (
	"fmt"
	"path"
	"strings"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/argocd"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/jsonpointer"
	"github.com/rtconf/rtconf/internal/labels"
)

// runtimeChecks checks what a runtime's rendered overlay must contain.
func runtimeChecks(cfg *config.Config, rt config.Runtime, objs []rendered, r *repo, strict bool) []Finding {
	overlay := generator.OverlayDir(rt.Name)
	kfile := path.Join(overlay, "kustomization.yaml")
	var out []Finding
	at := func(o rendered, ptr string) Finding {
		f := Finding{Path: o.source, Runtime: rt.Name}
		if f.Path == "" {
			f.Path = kfile
			return f
		}
		if docs, err := r.documents(o.source); err == nil {
			if d, ok := findDoc(docs, nested(o.obj, "kind"), nested(o.obj, "metadata", "name")); ok {
				f.Line, f.Column = locate(d, ptr, false)
			}
		}
		return f
	}

	// The self-managing Application.
	app := runtimeApp(objs, rt)
	if app == nil {
		out = append(out, Finding{Path: kfile, Rule: RuleRuntimeApp, Severity: Error, Runtime: rt.Name,
			Message: fmt.Sprintf("runtime %s has no self-managing Application %q in its overlay", rt.Name, config.AppName(rt)),
			Hint:    "run rtconf generate"})
	} else {
		want := []struct{ ptr, got, want string }{
			{"/metadata/name", nested(app.obj, "metadata", "name"), config.AppName(rt)},
			{"/metadata/namespace", nested(app.obj, "metadata", "namespace"), cfg.ArgoNamespace(rt)},
			{"/spec/source/repoURL", normalizeRepoURL(nested(app.obj, "spec", "source", "repoURL")), normalizeRepoURL(cfg.Repository.URL)},
			{"/spec/source/targetRevision", nested(app.obj, "spec", "source", "targetRevision"), cfg.Repository.Revision},
			{"/spec/source/path", strings.TrimSuffix(path.Clean(nested(app.obj, "spec", "source", "path")), "/"), overlay},
			{"/spec/destination/server", strings.TrimSuffix(nested(app.obj, "spec", "destination", "server"), "/"), strings.TrimSuffix(rt.Server, "/")},
			{"/spec/destination/namespace", nested(app.obj, "spec", "destination", "namespace"), rt.Namespace},
			{"/spec/project", nested(app.obj, "spec", "project"), cfg.ArgoCD.Project},
		}
		for _, w := range want {
			if w.got != w.want {
				f := at(*app, w.ptr)
				f.Rule, f.Severity = RuleRuntimeApp, Error
				f.Message = fmt.Sprintf("Application %s: %s is %q, but rtconf.yaml says %q", config.AppName(rt), jsonpointer.FieldPath(w.ptr), w.got, w.want)
				f.Hint = "run rtconf generate, or fix rtconf.yaml"
				out = append(out, f)
			}
		}
		for _, flag := range []string{"prune", "selfHeal"} {
			auto, _ := nestedMap(app.obj, "spec", "syncPolicy", "automated")
			if v, _ := auto[flag].(bool); !v {
				f := at(*app, "/spec/syncPolicy/automated/"+flag)
				f.Rule, f.Severity = RuleRuntimeApp, Error
				f.Message = fmt.Sprintf("Application %s: spec.syncPolicy.automated.%s is not true: the runtime would not correct drift by itself", config.AppName(rt), flag)
				f.Hint = "run rtconf generate"
				out = append(out, f)
			}
		}
	}

	// Pending tokens.
	sev := Warning
	if strict {
		sev = Error
	}
	for _, o := range objs {
		lbl, _ := nestedMap(o.obj, "metadata", "labels")
		if nested(o.obj, "kind") != "ConfigMap" || lbl[labels.TokenState] != labels.StatePending {
			continue
		}
		f := at(o, "")
		f.Rule, f.Severity = RuleTokenPending, sev
		cmd := nested(o.obj, "metadata", "annotations", labels.Pending)
		if user, _ := lbl[labels.User].(string); user != "" {
			f.Message = fmt.Sprintf("complete installation: the Git user token of %s on runtime %s is not sealed yet", user, rt.Name)
		} else {
			f.Message = fmt.Sprintf("complete installation: the Git runtime token of runtime %s is not sealed yet", rt.Name)
		}
		f.Hint = "run: " + cmd
		out = append(out, f)
	}

	// The Applications that apply resources/: folders that exist, one per
	// managed cluster.
	servers := map[string]bool{}
	for _, o := range objs {
		if nested(o.obj, "kind") != argocd.KindApplication || nested(o.obj, "spec", "source", "path") != generator.DirResources {
			continue
		}
		servers[strings.TrimSuffix(nested(o.obj, "spec", "destination", "server"), "/")] = true
		for _, dir := range includeDirs(nested(o.obj, "spec", "source", "directory", "include")) {
			if !r.dirExists(path.Join(generator.DirResources, dir)) {
				f := at(o, "/spec/source/directory/include")
				f.Rule, f.Severity = RuleClusterApps, Error
				f.Message = fmt.Sprintf("Application %s applies %s/, which does not exist", nested(o.obj, "metadata", "name"), path.Join(generator.DirResources, dir))
				f.Hint = "run rtconf generate to create the folder (with its README), or fix the include pattern"
				out = append(out, f)
			}
		}
	}
	for _, cl := range rt.ManagedClusters {
		if !servers[strings.TrimSuffix(cl.Server, "/")] {
			out = append(out, Finding{Path: path.Join(generator.DirRuntimes, rt.Name, cl.Name+".yaml"), Rule: RuleClusterApps, Severity: Error, Runtime: rt.Name,
				Message: fmt.Sprintf("managed cluster %s (%s) of runtime %s has no Application applying resources to it", cl.Name, cl.Server, rt.Name),
				Hint:    "run rtconf generate"})
		}
	}
	return out
}

// runtimeApp finds the runtime's self-managing Application: by name, or
// else by its labels, so that a renamed one is reported as renamed.
func runtimeApp(objs []rendered, rt config.Runtime) *rendered {
	var labelled *rendered
	for i, o := range objs {
		if nested(o.obj, "kind") != argocd.KindApplication {
			continue
		}
		if nested(o.obj, "metadata", "name") == config.AppName(rt) {
			return &objs[i]
		}
		lbl, _ := nestedMap(o.obj, "metadata", "labels")
		if lbl[argocd.EntityLabel] == "runtime" && lbl[labels.Runtime] == rt.Name && labelled == nil {
			labelled = &objs[i]
		}
	}
	return labelled
}

// includeDirs lists the folders an Argo CD include pattern such as
// {a/*.yaml,a/**/*.yaml,b/*.yaml} selects.
func includeDirs(include string) []string {
	include = strings.TrimSuffix(strings.TrimPrefix(include, "{"), "}")
	seen := map[string]bool{}
	var dirs []string
	for _, g := range strings.Split(include, ",") {
		g = strings.TrimSpace(g)
		if i := strings.IndexAny(g, "*?[{"); i >= 0 {
			g = g[:i]
		}
		g = strings.Trim(g, "/")
		if g != "" && !seen[g] {
			seen[g] = true
			dirs = append(dirs, g)
		}
	}
	return dirs
}

// normalizeRepoURL compares repository URLs as Argo CD does: without case,
// a trailing slash or .git.
func normalizeRepoURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	u = strings.TrimSuffix(u, "/")
	return strings.TrimSuffix(u, ".git")
}
