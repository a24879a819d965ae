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

// runtimeChecks checks what a runtime's rendered overlay must contain: its
// self-managing Application, sealed Git tokens, and one Application per
// managed cluster applying folders that exist.
func runtimeChecks(cfg *config.Config, rt config.Runtime, objs []rendered, r *repo, strict bool) []Finding {
	place := overlayPlacer{repo: r, runtime: rt.Name, kfile: path.Join(generator.OverlayDir(rt.Name), "kustomization.yaml")}
	var out []Finding
	out = append(out, runtimeAppFindings(cfg, rt, objs, place)...)
	out = append(out, pendingTokenFindings(rt, objs, place, strict)...)
	out = append(out, clusterAppFindings(rt, objs, r, place)...)
	return out
}

// overlayPlacer places the findings about a runtime's rendered objects.
type overlayPlacer struct {
	repo    *repo
	runtime string
	// kfile is the overlay's kustomization, the place of a finding about an
	// object that has no source file.
	kfile string
}

// at is a finding of the runtime about o, at the field ptr of o in its
// source file when it can be found there; the caller sets the rest.
func (p overlayPlacer) at(o rendered, ptr string) Finding {
	f := Finding{Path: o.source, Runtime: p.runtime}
	if f.Path == "" {
		f.Path = p.kfile
		return f
	}
	if docs, err := p.repo.documents(o.source); err == nil {
		if d, ok := findDoc(docs, nested(o.obj, "kind"), nested(o.obj, "metadata", "name")); ok {
			f.Line, f.Column = locate(d, ptr, false)
		}
	}
	return f
}

// runtimeAppFindings checks the runtime's self-managing Application against
// rtconf.yaml: that it exists, with the configured fields, and corrects
// drift by itself.
func runtimeAppFindings(cfg *config.Config, rt config.Runtime, objs []rendered, place overlayPlacer) []Finding {
	app := runtimeApp(objs, rt)
	if app == nil {
		return []Finding{{Path: place.kfile, Rule: RuleRuntimeApp, Severity: Error, Runtime: rt.Name,
			Message: fmt.Sprintf("runtime %s has no self-managing Application %q in its overlay", rt.Name, config.AppName(rt)),
			Hint:    "run rtconf generate"}}
	}
	var out []Finding
	for _, w := range appFields(cfg, rt, *app) {
		if w.got != w.want {
			f := place.at(*app, w.ptr)
			f.Rule, f.Severity = RuleRuntimeApp, Error
			f.Message = fmt.Sprintf("Application %s: %s is %q, but rtconf.yaml says %q", config.AppName(rt), jsonpointer.FieldPath(w.ptr), w.got, w.want)
			f.Hint = "run rtconf generate, or fix rtconf.yaml"
			out = append(out, f)
		}
	}
	for _, flag := range []string{"prune", "selfHeal"} {
		auto, _ := nestedMap(app.obj, "spec", "syncPolicy", "automated")
		if v, _ := auto[flag].(bool); !v {
			f := place.at(*app, "/spec/syncPolicy/automated/"+flag)
			f.Rule, f.Severity = RuleRuntimeApp, Error
			f.Message = fmt.Sprintf("Application %s: spec.syncPolicy.automated.%s is not true: the runtime would not correct drift by itself", config.AppName(rt), flag)
			f.Hint = "run rtconf generate"
			out = append(out, f)
		}
	}
	return out
}

// appField is a field of the runtime's Application that rtconf.yaml
// decides: its JSON pointer, the value found and the value wanted, both
// normalized the way Argo CD compares them.
type appField struct{ ptr, got, want string }

// appFields lists the fields of app that rtconf.yaml decides.
func appFields(cfg *config.Config, rt config.Runtime, app rendered) []appField {
	return []appField{
		{"/metadata/name", nested(app.obj, "metadata", "name"), config.AppName(rt)},
		{"/metadata/namespace", nested(app.obj, "metadata", "namespace"), cfg.ArgoNamespace(rt)},
		{"/spec/source/repoURL", normalizeRepoURL(nested(app.obj, "spec", "source", "repoURL")), normalizeRepoURL(cfg.ArgoRepoURL())},
		{"/spec/source/targetRevision", nested(app.obj, "spec", "source", "targetRevision"), cfg.Repository.Revision},
		{"/spec/source/path", strings.TrimSuffix(path.Clean(nested(app.obj, "spec", "source", "path")), "/"), generator.OverlayDir(rt.Name)},
		{"/spec/destination/server", strings.TrimSuffix(nested(app.obj, "spec", "destination", "server"), "/"), strings.TrimSuffix(rt.Server, "/")},
		{"/spec/destination/namespace", nested(app.obj, "spec", "destination", "namespace"), rt.Namespace},
		{"/spec/project", nested(app.obj, "spec", "project"), cfg.ArgoCD.Project},
	}
}

// pendingTokenFindings reports each Git token of the runtime not sealed yet:
// a warning, or an error when strict.
func pendingTokenFindings(rt config.Runtime, objs []rendered, place overlayPlacer, strict bool) []Finding {
	sev := Warning
	if strict {
		sev = Error
	}
	var out []Finding
	for _, o := range objs {
		lbl, _ := nestedMap(o.obj, "metadata", "labels")
		if nested(o.obj, "kind") != "ConfigMap" || lbl[labels.TokenState] != labels.StatePending {
			continue
		}
		f := place.at(o, "")
		f.Rule, f.Severity = RuleTokenPending, sev
		if user, _ := lbl[labels.User].(string); user != "" {
			f.Message = fmt.Sprintf("complete installation: the Git user token of %s on runtime %s is not sealed yet", user, rt.Name)
		} else {
			f.Message = fmt.Sprintf("complete installation: the Git runtime token of runtime %s is not sealed yet", rt.Name)
		}
		f.Hint = "run: " + nested(o.obj, "metadata", "annotations", labels.Pending)
		out = append(out, f)
	}
	return out
}

// clusterAppFindings checks the Applications that apply resources/: the
// folders they include exist, and each managed cluster has one.
func clusterAppFindings(rt config.Runtime, objs []rendered, r *repo, place overlayPlacer) []Finding {
	apps := resourceApps(objs)
	var out []Finding
	for _, o := range apps {
		out = append(out, missingIncludeFindings(o, r, place)...)
	}
	return append(out, unservedClusterFindings(rt, apps)...)
}

// resourceApps are the Applications among objs that apply resources/.
func resourceApps(objs []rendered) []rendered {
	var apps []rendered
	for _, o := range objs {
		if nested(o.obj, "kind") == argocd.KindApplication && nested(o.obj, "spec", "source", "path") == generator.DirResources {
			apps = append(apps, o)
		}
	}
	return apps
}

// missingIncludeFindings reports each folder of resources/ that the
// Application app includes but that does not exist.
func missingIncludeFindings(app rendered, r *repo, place overlayPlacer) []Finding {
	var out []Finding
	for _, dir := range includeDirs(nested(app.obj, "spec", "source", "directory", "include")) {
		if !r.dirExists(path.Join(generator.DirResources, dir)) {
			f := place.at(app, "/spec/source/directory/include")
			f.Rule, f.Severity = RuleClusterApps, Error
			f.Message = fmt.Sprintf("Application %s applies %s/, which does not exist", nested(app.obj, "metadata", "name"), path.Join(generator.DirResources, dir))
			f.Hint = "run rtconf generate to create the folder (with its README), or fix the include pattern"
			out = append(out, f)
		}
	}
	return out
}

// unservedClusterFindings reports each managed cluster of the runtime that
// none of the Applications apps applies resources to.
func unservedClusterFindings(rt config.Runtime, apps []rendered) []Finding {
	servers := map[string]bool{}
	for _, o := range apps {
		servers[strings.TrimSuffix(nested(o.obj, "spec", "destination", "server"), "/")] = true
	}
	var out []Finding
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
