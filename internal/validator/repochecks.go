package validator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/seal"
)

// configFindings loads rtconf.yaml; its problems become findings.
func configFindings(r *repo, file string) (*config.Config, []Finding) {
	data, ok := r.file(file)
	if !ok && r.unread[file] {
		// Why is a finding already; this one says what it costs: nothing
		// that rtconf.yaml describes could be checked, so the repository
		// must not pass.
		return nil, []Finding{{Path: file, Rule: RuleConfig, Severity: Error,
			Message: file + " could not be read, so no runtime was validated",
			Hint:    "make it a regular file that rtconf can read (not a symlink, FIFO or device); its other finding says what is wrong"}}
	}
	if !ok {
		return nil, []Finding{{Path: file, Rule: RuleConfig, Severity: Error,
			Message: file + " not found: this is not a repository rtconf manages",
			Hint:    "run rtconf init, or pass --dir with the repository's root"}}
	}
	cfg, err := config.Parse(file, data)
	if err == nil {
		return cfg, nil
	}
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		return nil, []Finding{{Path: file, Rule: RuleConfig, Severity: Error, Message: err.Error()}}
	}
	var out []Finding
	for _, p := range cerr.Problems {
		msg := p.Message
		if p.Field != "" {
			msg = p.Field + ": " + msg
		}
		out = append(out, Finding{Path: file, Line: p.Line, Column: p.Column, Rule: RuleConfig, Severity: Error, Message: msg, Hint: p.Hint})
	}
	return nil, out
}

// driftFindings compares the generated files with what generate would
// write now. Sealed tokens and files the user owns are left out.
func driftFindings(r *repo, cfg *config.Config, scope runtimeScope) []Finding {
	files, dirs, err := driftScope(r, cfg, scope)
	if err != nil {
		return []Finding{{Path: cfg.File, Rule: RuleDrift, Severity: Error, Message: err.Error()}}
	}
	mode := map[string]generator.Mode{}
	for _, f := range files {
		mode[f.Path] = f.Mode
	}
	changes, err := generator.PlanIn(r.fs(), files, dirs)
	var conflict *generator.ConflictError
	if errors.As(err, &conflict) {
		var out []Finding
		for _, p := range conflict.Paths {
			out = append(out, Finding{Path: p, Rule: RuleDrift, Severity: Error, Runtime: runtimeOf(p),
				Message: "rtconf generates this file, but it lacks the generated-file marker: it was replaced by hand",
				Hint:    "move your changes to rtconf.yaml or resources/, delete the file and run rtconf generate"})
		}
		return out
	}
	if err != nil {
		return []Finding{{Path: cfg.File, Rule: RuleDrift, Severity: Error, Message: err.Error()}}
	}
	var out []Finding
	for _, c := range changes {
		f := Finding{Path: c.Path, Rule: RuleDrift, Severity: Error, Runtime: runtimeOf(c.Path), Hint: "run rtconf generate and commit the result"}
		switch c.Op {
		case generator.Add:
			if mode[c.Path] == generator.Seed {
				continue
			}
			f.Message = "missing: rtconf.yaml generates this file"
		case generator.Update:
			f.Message = "out of date: differs from what rtconf generate writes for rtconf.yaml"
			f.Diff = generator.Diff(c.Path, r.data(c.Path), c.Data, generator.DiffLines)
		case generator.Remove:
			f.Message = "stale: generated for something no longer in rtconf.yaml"
		}
		out = append(out, f)
	}
	return out
}

// driftScope is what the drift check of scope renders and where it looks
// for stale files: for the whole repository, everything; for a shard,
// only the files of its runtimes (and those of no runtime, in the shard
// that owns them) and the folders that only its runtimes' findings can
// come from, so that a shard does its part of the work, not all of it.
func driftScope(r *repo, cfg *config.Config, scope runtimeScope) ([]generator.File, []string, error) {
	if scope.shard.Total <= 1 {
		files, err := generator.Generate(cfg)
		return files, generator.ManagedDirs(), err
	}
	var files []generator.File
	var dirs []string
	known := map[string]bool{}
	for _, rt := range cfg.Runtimes {
		known[rt.Name] = true
		if !scope.covers(rt.Name) {
			continue
		}
		f, err := generator.GenerateRuntime(cfg, rt.Name)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, f...)
		dirs = append(dirs, generator.RuntimeDirs(rt.Name)...)
	}
	if scope.covers("") {
		f, err := generator.GenerateRepo(cfg)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, f...)
	}
	// What else Plan would walk: a folder of a runtime no longer in
	// rtconf.yaml belongs to the shard of its name, anything else to
	// the shard of no runtime.
	for _, top := range generator.ManagedDirs() {
		entries, err := fs.ReadDir(r.fs(), top)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		for _, e := range entries {
			p := path.Join(top, e.Name())
			owner := runtimeOf(p + "/")
			if !e.IsDir() {
				owner = runtimeOf(p)
			}
			if (owner == "" || !known[owner]) && scope.covers(owner) {
				dirs = append(dirs, p)
			}
		}
	}
	return files, dirs, nil
}

// certificateFindings checks the pinned certificate and returns its RSA
// key size in bytes for the ciphertext lint.
func certificateFindings(r *repo, cfg *config.Config, now time.Time, anySealed bool) (int, []Finding) {
	certPath := cfg.Sealing.Certificate
	if certPath == "" {
		if !anySealed {
			return 0, nil
		}
		return 0, []Finding{{Path: cfg.File, Rule: RuleCertificate, Severity: Warning,
			Message: "no sealing certificate is pinned, so sealed values cannot be checked against it",
			Hint:    "run rtconf cert pin --cert FILE|URL"}}
	}
	at := cfg.Position("/sealing/certificate")
	data, ok := r.file(certPath)
	if !ok && r.unread[certPath] {
		return 0, []Finding{{Path: cfg.File, Line: at.Line, Column: at.Column, Rule: RuleCertificate, Severity: Error,
			Message: fmt.Sprintf("sealing.certificate %s could not be read, so no sealed value was checked against it", certPath),
			Hint:    "make it a regular file: run rtconf cert pin --cert FILE|URL"}}
	}
	if !ok {
		return 0, []Finding{{Path: cfg.File, Line: at.Line, Column: at.Column, Rule: RuleCertificate, Severity: Error,
			Message: fmt.Sprintf("sealing.certificate %s does not exist", certPath),
			Hint:    "run rtconf cert pin --cert FILE|URL"}}
	}
	cert, err := seal.ParseCertificate(certPath, data)
	if err != nil {
		return 0, []Finding{{Path: certPath, Rule: RuleCertificate, Severity: Error, Message: err.Error(),
			Hint: "fetch the controller's certificate (kubeseal --fetch-cert) and pin it with rtconf cert pin"}}
	}
	keyBytes := cert.Key.Size()
	warnings, err := cert.Check(certPath, seal.CheckOptions{Pinned: cfg.Sealing.Fingerprint, Now: now, NoAgeWarning: true})
	if err != nil {
		fp := cfg.Position("/sealing/fingerprint")
		return keyBytes, []Finding{{Path: cfg.File, Line: fp.Line, Column: fp.Column, Rule: RuleCertificate, Severity: Error, Message: err.Error(),
			Hint: "run rtconf cert pin with the controller's current certificate"}}
	}
	var out []Finding
	for _, w := range warnings {
		out = append(out, Finding{Path: certPath, Rule: RuleCertificate, Severity: Warning, Message: w})
	}
	if cfg.Sealing.Fingerprint == "" {
		out = append(out, Finding{Path: cfg.File, Line: at.Line, Column: at.Column, Rule: RuleCertificate, Severity: Warning,
			Message: "the certificate is not pinned: sealing.fingerprint is not set", Hint: "run rtconf cert pin"})
	}
	return keyBytes, out
}

// plainManifests lists the YAML files under resources/ and runtimes/ that
// no kustomization renders, so they must be checked as they are.
func plainManifests(r *repo) []string {
	kdirs := map[string]bool{}
	for _, p := range r.paths {
		if isKustomization(p) {
			kdirs[path.Dir(p)] = true
		}
	}
	var out []string
	for _, p := range r.paths {
		if !isYAML(p) || isKustomization(p) {
			continue
		}
		if !strings.HasPrefix(p, generator.DirResources+"/") && !strings.HasPrefix(p, generator.DirRuntimes+"/") {
			continue
		}
		if kdirs[path.Dir(p)] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// manifestObjects decodes the objects of a plain manifest file, as
// Kubernetes reads them.
func manifestObjects(r *repo, p string) ([]map[string]any, []Finding) {
	docs, err := r.documents(p)
	if err != nil {
		line, col, msg := yamlErrorPosition(r.data(p), err)
		return nil, []Finding{{Path: p, Line: line, Column: col, Rule: RuleSchema, Severity: Error, Runtime: runtimeOf(p), Message: "invalid YAML: " + msg}}
	}
	var objs []map[string]any
	var out []Finding
	for _, d := range docs {
		if d.node == nil || len(d.node.Content) == 0 {
			continue
		}
		var b bytes.Buffer
		if err := encodeNode(&b, d.node); err != nil {
			out = append(out, Finding{Path: p, Line: d.line, Rule: RuleSchema, Severity: Error, Runtime: runtimeOf(p), Message: err.Error()})
			continue
		}
		j, err := sigsyaml.YAMLToJSON(b.Bytes())
		if err != nil {
			out = append(out, Finding{Path: p, Line: d.line, Rule: RuleSchema, Severity: Error, Runtime: runtimeOf(p), Message: err.Error()})
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(j))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil || obj == nil {
			out = append(out, Finding{Path: p, Line: d.line, Rule: RuleSchema, Severity: Error, Runtime: runtimeOf(p), Message: "a YAML document that is not an object"})
			continue
		}
		objs = append(objs, obj)
	}
	return objs, out
}
