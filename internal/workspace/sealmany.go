package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/seal"
)

// namesShown is how many runtimes a message names before it counts the
// rest.
const namesShown = 10

// validateRuntimes checks which runtimes the options name: one Runtime,
// several Runtimes, or AllRuntimes, and several only for a Git runtime
// token.
func (o SealOptions) validateRuntimes() error {
	given := 0
	for _, set := range []bool{o.Runtime != "", len(o.Runtimes) > 0, o.AllRuntimes} {
		if set {
			given++
		}
	}
	switch {
	case given == 0:
		return &UsageError{"missing --runtime"}
	case o.AllRuntimes && given > 1:
		return &UsageError{"--runtime and --all-runtimes: give one"}
	case given > 1:
		return &UsageError{"give the runtimes in Runtimes alone, not Runtime too"}
	}
	if !o.several() {
		return nil
	}
	if o.User != "" {
		return &UsageError{"a user token is sealed into one runtime at a time: give one --runtime with --user"}
	}
	if o.App != nil {
		return &UsageError{"GitHub App credentials are sealed into one runtime at a time: give one --runtime"}
	}
	seen := map[string]bool{}
	for _, name := range o.Runtimes {
		if name == "" {
			return &UsageError{"--runtime: give a runtime's name"}
		}
		if seen[name] {
			return &UsageError{fmt.Sprintf("--runtime %s given twice", name)}
		}
		seen[name] = true
	}
	return nil
}

// several reports whether the options seal into several runtimes.
func (o SealOptions) several() bool { return len(o.Runtimes) > 0 || o.AllRuntimes }

// parsedRuntimes are the runtimes rtconf.yaml is parsed for
// (config.ParseRuntimes); none parses all of it.
func (o SealOptions) parsedRuntimes() []string {
	switch {
	case o.AllRuntimes:
		return nil
	case len(o.Runtimes) > 0:
		return o.Runtimes
	}
	return []string{o.Runtime}
}

// findRuntimes looks names up in cfg, all of them, or every runtime of
// cfg when all is set; unknown names are one usage error naming them and
// the runtimes there are.
func findRuntimes(cfg *config.Config, names []string, all bool) ([]config.Runtime, error) {
	if all {
		if len(cfg.Runtimes) == 0 {
			return nil, &UsageError{fmt.Sprintf("%s has no runtimes to seal into", cfg.File)}
		}
		return cfg.Runtimes, nil
	}
	var out []config.Runtime
	var unknown []string
	for _, name := range names {
		rt, ok := cfg.Runtime(name)
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		out = append(out, rt)
	}
	if unknown == nil {
		return out, nil
	}
	var have []string
	for _, rt := range cfg.Runtimes {
		have = append(have, rt.Name)
	}
	return nil, &UsageError{fmt.Sprintf("%s %s not in %s (runtimes: %s); nothing was sent or written", pluralRuntimes(len(unknown)), quoted(unknown), cfg.File, strings.Join(have, ", "))}
}

func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// nameList names runtimes in a message: the first namesShown, then how
// many more.
func nameList(names []string) string {
	if len(names) <= namesShown {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:namesShown], ", "), len(names)-namesShown)
}

// previousToken is what a runtime token's place held before a seal: the
// sealed record, or nil.
type previousToken struct {
	runtime string
	record  map[string]string
}

// planSealMany plans sealing opts.Token, a Git runtime token, into several
// runtimes (opts.Runtimes or opts.AllRuntimes) at once: the token is
// checked once, for what the runtimes need together (a runtime whose token
// serves its users adds the user token's requirements), the certificate is
// read and checked once, and each runtime gets its own SealedSecret in the
// one file of its runtime token. Any refusal refuses the whole run before
// anything is sent. The notes say which credential to revoke: with rotate,
// every one sealed before; else only sealed App credentials replaced.
func planSealMany(ctx context.Context, root *os.Root, raw []byte, cfg *config.Config, opts SealOptions, rotate bool) (SealResult, error) {
	rts, err := findRuntimes(cfg, opts.Runtimes, opts.AllRuntimes)
	if err != nil {
		return SealResult{}, err
	}
	if opts.Token, err = ownToken(cfg, opts.Token); err != nil {
		return SealResult{}, err
	}
	previous := make([]previousToken, len(rts))
	var apps []string
	asUser := false
	for i, rt := range rts {
		slot := generator.Slot{Runtime: rt.Name}
		previous[i] = previousToken{runtime: rt.Name, record: sealedRecord(root, slot.Path())}
		if previous[i].record[seal.AnnotationTokenKind] == appKind {
			apps = append(apps, rt.Name)
		}
		asUser = asUser || rt.RuntimeTokenAsUserToken
	}
	if len(apps) > 0 && !opts.Replace {
		return SealResult{}, &UsageError{fmt.Sprintf("the runtime token files of %d %s hold sealed GitHub App credentials (%s): pass --replace to seal the token in their place (then revoke the old credentials); nothing was sent or written",
			len(apps), pluralRuntimes(len(apps)), nameList(apps))}
	}
	cert, warnings, pin, err := sealingCertificate(ctx, root, raw, cfg, opts)
	if err != nil {
		return SealResult{}, err
	}
	if err := refuseDemo(cert, opts); err != nil {
		return SealResult{}, err
	}
	record, liveWarnings, err := liveCheck(ctx, cfg, forge.NeedFor(forge.RuntimeToken, asUser), opts)
	if refused := (*RefusedError)(nil); errors.As(err, &refused) {
		refused.Into = refusedInto(rts)
	}
	if err != nil {
		return SealResult{}, err
	}
	warnings = append(warnings, liveWarnings...)
	changes, err := sealEach(root, cfg, rts, opts, cert, record)
	if err != nil {
		return SealResult{}, err
	}
	names := make([]string, len(rts))
	for i, rt := range rts {
		names[i] = rt.Name
	}
	return SealResult{
		Result:   Result{Changes: mergeChanges(changes, pin)},
		Warnings: warnings,
		Notes:    revokeNotes(cfg, previous, rotate),
		Runtimes: names,
	}, nil
}

// refusedInto says, for a refused live check, which runtimes the token was
// checked for, and which of them made it need a user token's scopes too.
func refusedInto(rts []config.Runtime) string {
	var names, users []string
	for _, rt := range rts {
		names = append(names, rt.Name)
		if rt.RuntimeTokenAsUserToken {
			users = append(users, rt.Name)
		}
	}
	into := fmt.Sprintf("into the runtime tokens of %d %s (%s)", len(names), pluralRuntimes(len(names)), nameList(names))
	if len(users) > 0 {
		into += fmt.Sprintf(", checked for what they need together: in %d of them (%s) the runtime token also serves the users (runtimeTokenAsUserToken)",
			len(users), nameList(users))
	}
	return into
}

// sealEach seals the token into the runtime token of each runtime of rts
// and plans the files, a few runtimes at a time (sealing is CPU work, and
// reading a runtime's files does not depend on another's); the changes are
// in the order of rts. The first error, naming its runtime, is returned.
func sealEach(root *os.Root, cfg *config.Config, rts []config.Runtime, opts SealOptions, cert *seal.Certificate, record map[string]string) ([]generator.Change, error) {
	planned := make([][]generator.Change, len(rts))
	errs := make([]error, len(rts))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(rts)) {
		wg.Go(func() {
			for i := range next {
				planned[i], errs[i] = sealOne(root, cfg, rts[i], opts, cert, record)
			}
		})
	}
	for i := range rts {
		next <- i
	}
	close(next)
	wg.Wait()
	var changes []generator.Change
	for i := range rts {
		if errs[i] != nil {
			return nil, errs[i]
		}
		changes = append(changes, planned[i]...)
	}
	return changes, nil
}

// sealOne seals the token into rt's runtime token and plans its file (and
// the runtime's own files when its overlay does not list it yet).
func sealOne(root *os.Root, cfg *config.Config, rt config.Runtime, opts SealOptions, cert *seal.Certificate, record map[string]string) ([]generator.Change, error) {
	slot := generator.Slot{Runtime: rt.Name}
	comment := fmt.Sprintf("Git runtime token of runtime %s, sealed by rtconf.\nReplace it with: rtconf seal runtime-token --runtime %s", rt.Name, rt.Name)
	data, err := sealSlot(cfg, rt, slot, opts.Token, cert, opts.Now, record, comment)
	if err != nil {
		return nil, fmt.Errorf("runtime %s: %w", rt.Name, err)
	}
	changes, err := slotChanges(root, cfg, slot, data)
	if err != nil {
		return nil, fmt.Errorf("runtime %s: %w", rt.Name, err)
	}
	return changes, nil
}

// revokeNotes say which credentials to revoke after a seal into several
// runtimes: with all, every one sealed before, else the App credentials
// replaced. Runtimes whose previous credential is the same (the same
// fingerprint and dates, as a robot account's token sealed into each) share
// one note.
func revokeNotes(cfg *config.Config, previous []previousToken, all bool) []string {
	var keys []string
	groups := map[string][]previousToken{}
	for _, p := range previous {
		if p.record == nil || (!all && p.record[seal.AnnotationTokenKind] != appKind) {
			continue
		}
		key := revokeNote(cfg, "", p.record)
		if _, ok := groups[key]; !ok {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], p)
	}
	var notes []string
	for _, key := range keys {
		g := groups[key]
		names := make([]string, len(g))
		for i, p := range g {
			names[i] = p.runtime
		}
		what := "Git runtime token of "
		if g[0].record[seal.AnnotationTokenKind] == appKind {
			what = "GitHub App credentials of "
		}
		if len(names) == 1 {
			what += "runtime " + names[0]
		} else {
			what += fmt.Sprintf("%d runtimes (%s)", len(names), nameList(names))
		}
		notes = append(notes, revokeNote(cfg, what, g[0].record))
	}
	return slices.Clip(notes)
}

func pluralRuntimes(n int) string {
	if n == 1 {
		return "runtime"
	}
	return "runtimes"
}
