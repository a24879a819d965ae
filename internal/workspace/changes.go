package workspace

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"sigs.k8s.io/yaml"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/seal"
)

// AddRuntime adds a runtime to rtconf.yaml and generates its overlay.
func AddRuntime(configFile string, rt config.Runtime) Change {
	affected := []string{fmt.Sprintf("runtime `%s` (added, namespace `%s`)", rt.Name, rt.Namespace)}
	for _, u := range rt.Users {
		affected = append(affected, fmt.Sprintf("user `%s` on runtime `%s` (added)", u, rt.Name))
	}
	return Change{
		Slug:     "runtime-add-" + rt.Name,
		Title:    "Add runtime " + rt.Name,
		Affected: affected,
		Plan: configEdit(configFile, func(cfg *config.Config) error {
			if _, ok := cfg.Runtime(rt.Name); ok {
				return &UsageError{fmt.Sprintf("runtime %q is already in %s", rt.Name, cfg.File)}
			}
			return nil
		}, func(raw []byte) ([]byte, error) { return config.AddRuntime(raw, rt) }),
	}
}

// RemoveRuntime removes a runtime from rtconf.yaml, and its generated
// files with it.
func RemoveRuntime(configFile, name string) Change {
	return Change{
		Slug:     "runtime-remove-" + name,
		Title:    "Remove runtime " + name,
		Affected: []string{fmt.Sprintf("runtime `%s` (removed, with its Applications and sealed tokens)", name)},
		Plan: configEdit(configFile, func(cfg *config.Config) error {
			_, err := findRuntime(cfg, name)
			return err
		}, func(raw []byte) ([]byte, error) { return config.RemoveRuntime(raw, name) }),
	}
}

// AddCluster adds a managed cluster to a runtime.
func AddCluster(configFile, runtime string, cl config.Cluster) Change {
	return Change{
		Slug:     "cluster-add-" + runtime + "-" + cl.Name,
		Title:    fmt.Sprintf("Add cluster %s to runtime %s", cl.Name, runtime),
		Affected: []string{fmt.Sprintf("runtime `%s`: managed cluster `%s` (%s) added", runtime, cl.Name, cl.Server)},
		Plan: configEdit(configFile, func(cfg *config.Config) error {
			rt, err := findRuntime(cfg, runtime)
			if err != nil {
				return err
			}
			for _, c := range rt.ManagedClusters {
				if c.Name == cl.Name {
					return &UsageError{fmt.Sprintf("runtime %q already manages a cluster %q", runtime, cl.Name)}
				}
			}
			return nil
		}, func(raw []byte) ([]byte, error) { return config.AddToRuntime(raw, runtime, "managedClusters", cl) }),
	}
}

// RemoveCluster removes a managed cluster from a runtime.
func RemoveCluster(configFile, runtime, cluster string) Change {
	return Change{
		Slug:     "cluster-remove-" + runtime + "-" + cluster,
		Title:    fmt.Sprintf("Remove cluster %s from runtime %s", cluster, runtime),
		Affected: []string{fmt.Sprintf("runtime `%s`: managed cluster `%s` removed", runtime, cluster)},
		Plan: configEdit(configFile, func(cfg *config.Config) error {
			rt, err := findRuntime(cfg, runtime)
			if err != nil {
				return err
			}
			for _, c := range rt.ManagedClusters {
				if c.Name == cluster {
					return nil
				}
			}
			return &UsageError{fmt.Sprintf("runtime %q manages no cluster %q", runtime, cluster)}
		}, func(raw []byte) ([]byte, error) {
			return config.RemoveFromRuntime(raw, runtime, "managedClusters", config.MatchField("name", cluster))
		}),
	}
}

// AddUser gives a user a Git user token placeholder on a runtime.
func AddUser(configFile, runtime, login string) Change {
	login = strings.ToLower(login)
	return Change{
		Slug:     "user-add-" + login + "-" + runtime,
		Title:    fmt.Sprintf("Add user %s to runtime %s", login, runtime),
		Affected: []string{fmt.Sprintf("user `%s` on runtime `%s` (added; seal the user's token with `rtconf seal user-token --runtime %s --user %s`)", login, runtime, runtime, login)},
		Plan: configEdit(configFile, func(cfg *config.Config) error {
			rt, err := findRuntime(cfg, runtime)
			if err != nil {
				return err
			}
			for _, u := range rt.Users {
				if strings.EqualFold(u, login) {
					return &UsageError{fmt.Sprintf("user %q is already on runtime %q", login, runtime)}
				}
			}
			return nil
		}, func(raw []byte) ([]byte, error) { return config.AddToRuntime(raw, runtime, "users", login) }),
	}
}

// RemoveUser removes a user, and the user's sealed token, from a runtime.
func RemoveUser(configFile, runtime, login string) Change {
	login = strings.ToLower(login)
	return Change{
		Slug:     "user-remove-" + login + "-" + runtime,
		Title:    fmt.Sprintf("Remove user %s from runtime %s", login, runtime),
		Affected: []string{fmt.Sprintf("user `%s` on runtime `%s` (removed, with the sealed user token)", login, runtime)},
		Plan: configEdit(configFile, func(cfg *config.Config) error {
			rt, err := findRuntime(cfg, runtime)
			if err != nil {
				return err
			}
			return checkUser(rt, login)
		}, func(raw []byte) ([]byte, error) {
			return config.RemoveFromRuntime(raw, runtime, "users", config.MatchScalar(login))
		}),
	}
}

// RotateToken seals a new token in place of a runtime's Git runtime token
// (or a user's Git user token), live-checked like `rtconf seal`, and notes
// which token to revoke once the change is merged and synced.
func RotateToken(opts SealOptions) Change {
	if opts.several() {
		return rotateMany(opts)
	}
	login := strings.ToLower(opts.User)
	what := "Git runtime token of runtime " + opts.Runtime
	slug := "token-rotate-" + opts.Runtime
	if login != "" {
		what = fmt.Sprintf("Git user token of %s on runtime %s", login, opts.Runtime)
		slug += "-" + login
	}
	slug += "-" + opts.Now.UTC().Format("20060102-150405")
	return Change{
		Slug:     slug,
		Title:    "Rotate the " + what,
		Affected: []string{"the " + what + " (sealed again; the token itself is never in this pull request)"},
		Runtimes: []string{opts.Runtime},
		// The configuration ApplyChange parsed is sealed into: rtconf.yaml
		// is read once, and only the runtime's own files are rendered.
		Plan: func(ctx context.Context, root *os.Root, raw []byte, cfg *config.Config) (Planned, error) {
			res, err := planSeal(ctx, root, raw, cfg, opts)
			if err != nil {
				return Planned{}, err
			}
			p := Planned{Changes: res.Changes, Warnings: res.Warnings, Notes: res.Notes}
			if previous := sealedRecord(root, res.Path); previous != nil && res.Notes == nil {
				p.Notes = append(p.Notes, revokeNote(cfg, what, previous))
			}
			return p, nil
		},
	}
}

// rotateMany is RotateToken into several runtimes (opts.Runtimes) or all
// of them (opts.AllRuntimes), one Git runtime token for each, checked
// once; the notes name each previous token once, with the runtimes that
// held it.
func rotateMany(opts SealOptions) Change {
	stamp := opts.Now.UTC().Format("20060102-150405")
	ch := Change{
		Slug:     "token-rotate-all-runtimes-" + stamp,
		Title:    "Rotate the Git runtime token of every runtime",
		Affected: []string{"the Git runtime token of every runtime (sealed again; the token itself is never in this pull request)"},
		Plan: func(ctx context.Context, root *os.Root, raw []byte, cfg *config.Config) (Planned, error) {
			if err := opts.validateRuntimes(); err != nil {
				return Planned{}, err
			}
			res, err := planSealMany(ctx, root, raw, cfg, opts, true)
			if err != nil {
				return Planned{}, err
			}
			return Planned{Changes: res.Changes, Warnings: res.Warnings, Notes: res.Notes}, nil
		},
	}
	if !opts.AllRuntimes {
		ch.Runtimes = opts.Runtimes
		ch.Slug = fmt.Sprintf("token-rotate-%d-runtimes-%s", len(opts.Runtimes), stamp)
		ch.Title = "Rotate the Git runtime token of runtimes " + nameList(opts.Runtimes)
		ch.Affected = nil
		for _, name := range opts.Runtimes {
			ch.Affected = append(ch.Affected, "the Git runtime token of runtime "+name+" (sealed again; the token itself is never in this pull request)")
		}
	}
	return ch
}

// sealedRecord reads the annotations of the SealedSecret in the token file
// p, or nil when there is none (a placeholder, or no file).
func sealedRecord(root *os.Root, p string) map[string]string {
	data, err := fs.ReadFile(repofs.FS(root), p)
	if err != nil || generator.IsPlaceholder(data) {
		return nil
	}
	var ss ssv1alpha1.SealedSecret
	if err := yaml.Unmarshal(data, &ss); err != nil || ss.Kind != "SealedSecret" {
		return nil
	}
	return ss.Annotations
}

// revokeNote says which token to revoke: the one sealed before, named by
// the fingerprint and dates rtconf recorded (never by its value).
func revokeNote(cfg *config.Config, what string, rec map[string]string) string {
	if rec[seal.AnnotationTokenKind] == appKind {
		return appRevokeNote(cfg, what, rec)
	}
	var facts []string
	if v := rec[seal.AnnotationTokenFingerprint]; v != "" {
		facts = append(facts, "fingerprint "+v)
	}
	if v := rec[seal.AnnotationTokenKind]; v != "" {
		facts = append(facts, v)
	}
	if v := rec[seal.AnnotationSealedAt]; v != "" {
		facts = append(facts, "sealed "+v)
	}
	if v := rec[seal.AnnotationExpiresAt]; v != "" {
		facts = append(facts, "expiring "+v)
	}
	note := "once this is merged and Argo CD has synced it, revoke the previous " + what
	if len(facts) > 0 {
		note += " (" + strings.Join(facts, ", ") + ")"
	}
	host := ""
	if u, err := url.Parse(cfg.Repository.URL); err == nil {
		host = forge.Host(u)
	}
	return note + " " + cfg.Forge().RevokeHint(host)
}
