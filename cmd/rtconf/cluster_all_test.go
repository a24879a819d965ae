package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rtconf/rtconf/internal/testcluster"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// runtimeBlocks splits apply's text output into each runtime's lines,
// keyed by runtime, in the order the runtimes were printed.
func runtimeBlocks(stdout string) (order []string, blocks map[string][]string) {
	blocks = map[string][]string{}
	cur := ""
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if name, ok := strings.CutPrefix(line, "runtime "); ok && strings.Contains(name, " at commit ") {
			cur = strings.Fields(name)[0]
			order = append(order, cur)
		}
		if cur != "" {
			blocks[cur] = append(blocks[cur], line)
		}
	}
	return order, blocks
}

// credentialsFirst fails unless every SealedSecret line of block comes
// before its first Application line.
func credentialsFirst(t *testing.T, rt string, block []string) {
	t.Helper()
	firstApp, lastSecret := -1, -1
	for i, line := range block {
		switch {
		case strings.Contains(line, " SealedSecret "):
			lastSecret = i
		case strings.Contains(line, " Application ") && firstApp < 0:
			firstApp = i
		}
	}
	if lastSecret < 0 || firstApp < 0 || lastSecret > firstApp {
		t.Errorf("runtime %s: want its SealedSecrets applied before its Applications:\n%s", rt, strings.Join(block, "\n"))
	}
}

// TestClusterApplyAllRuntimes runs apply --all-runtimes against a real API
// server and sealed-secrets controller: two runtimes are applied one after
// the other in rtconf.yaml's order, each with its credentials first, and
// both go live (exit 0). A runtime whose sync failed ends the run (exit 1,
// naming its Application and Argo CD's message): the runtimes before it
// are still applied and live, the ones after it are not tried. While it
// waits, apply says what for on a terminal, and nothing elsewhere.
func TestClusterApplyAllRuntimes(t *testing.T) {
	c := testcluster.Start(t)
	r := clusterRun{t: t, c: c, clock: certClock(t, c), all: &strings.Builder{}}
	argoNS := testcluster.ArgoCDNamespace
	dir := filepath.Join(t.TempDir(), "repo")
	r.must(0, "", "init", dir, "--repo", "https://github.com/acme/shared-config", "--runtime", "prod",
		"--namespace", "prod-ns", "--argocd-namespace", argoNS)
	r.must(0, "", "runtime", "add", "dev", "--namespace", "dev-ns", "--dir", dir)
	r.must(0, "", "cert", "pin", "--from-cluster", "--dir", dir,
		"--controller-namespace", c.ControllerNamespace, "--controller-name", c.ControllerName)
	prodToken, devToken := testcreds.Classic("allprodruntime"), testcreds.Classic("alldevruntime")
	r.must(0, prodToken, "seal", "runtime-token", "--runtime", "prod", "--skip-live-check", "--dir", dir)
	r.must(0, devToken, "seal", "runtime-token", "--runtime", "dev", "--skip-live-check", "--dir", dir)
	commit := pushed(t, dir)
	t.Cleanup(func() {
		for what, s := range map[string]string{"prod's token": prodToken, "dev's token": devToken, "a private key": "PRIVATE KEY"} {
			if strings.Contains(r.all.String(), s) {
				t.Errorf("a run printed %s", what)
			}
		}
	})

	// Both runtimes applied, credentials first, both live.
	prodArgo := playArgoCD(t, c, argoNS, "prod", commit)
	devArgo := playArgoCD(t, c, argoNS, "dev", commit)
	got := r.must(0, "", "apply", "--all-runtimes", "--timeout", "2m", "--dir", dir)
	<-prodArgo
	<-devArgo
	order, blocks := runtimeBlocks(got.stdout)
	if strings.Join(order, ",") != "prod,dev" {
		t.Fatalf("apply --all-runtimes: want runtimes prod then dev, got %v:\n%s", order, got.stdout)
	}
	for _, rt := range order {
		block := blocks[rt]
		if want := "runtime " + rt + " at commit " + commit[:7] + " (main, as on origin)"; block[0] != want {
			t.Errorf("runtime %s: first line %q, want %q", rt, block[0], want)
		}
		credentialsFirst(t, rt, block)
		if want := "runtime " + rt + " is live: 1 SealedSecrets unsealed, its Application Synced and Healthy at " + commit[:7]; block[len(block)-1] != want {
			t.Errorf("runtime %s: last line %q, want %q", rt, block[len(block)-1], want)
		}
	}
	for _, s := range []struct{ rt, token string }{{"prod", prodToken}, {"dev", devToken}} {
		sec, err := c.Kube().CoreV1().Secrets(argoNS).Get(context.Background(), s.rt+"-git-runtime-token", metav1.GetOptions{})
		if err != nil {
			t.Fatalf("Secret %s/%s-git-runtime-token: %v", argoNS, s.rt, err)
		}
		if string(sec.Data["password"]) != s.token {
			t.Errorf("Secret %s/%s-git-runtime-token: password is not the token sealed", argoNS, s.rt)
		}
	}

	// dev's sync failed: exit 1 naming dev's Application, prod still applied and live.
	failed := testcluster.AppStatus{Sync: "OutOfSync", Health: "Missing", Revision: commit,
		Phase: "Failed", Message: `one or more objects failed to apply, reason: namespaces "elsewhere" not found`}
	c.SetApplicationStatus(t, argoNS, "dev", failed)
	got = r.must(1, "", "apply", "--all-runtimes", "--timeout", "2m", "--dir", dir)
	if want := `runtime dev is not live: Application argocd/dev: sync Failed: ` + failed.Message; !strings.Contains(got.stderr, want) {
		t.Errorf("apply --all-runtimes with dev failed: no %q in stderr:\n%s", want, got.stderr)
	}
	if strings.Contains(got.stderr, "runtime prod") {
		t.Errorf("apply --all-runtimes with dev failed: stderr names prod:\n%s", got.stderr)
	}
	order, blocks = runtimeBlocks(got.stdout)
	if strings.Join(order, ",") != "prod,dev" {
		t.Fatalf("apply --all-runtimes with dev failed: want runtimes prod then dev, got %v:\n%s", order, got.stdout)
	}
	prodLast, devLast := blocks["prod"][len(blocks["prod"])-1], blocks["dev"][len(blocks["dev"])-1]
	if !strings.HasPrefix(prodLast, "runtime prod is live: ") || strings.Contains(devLast, " is live") {
		t.Errorf("apply --all-runtimes with dev failed: want prod live and dev not:\n%s", got.stdout)
	}

	// prod's sync failed: the run ends there, dev is not tried.
	c.SetApplicationStatus(t, argoNS, "dev", testcluster.AppStatus{Sync: "Synced", Health: "Healthy", Revision: commit, Phase: "Succeeded", Message: "successfully synced (all tasks run)"})
	c.SetApplicationStatus(t, argoNS, "prod", failed)
	got = r.must(1, "", "apply", "--all-runtimes", "--timeout", "2m", "--dir", dir)
	if want := `runtime prod is not live: Application argocd/prod: sync Failed: ` + failed.Message; !strings.Contains(got.stderr, want) {
		t.Errorf("apply --all-runtimes with prod failed: no %q in stderr:\n%s", want, got.stderr)
	}
	if order, _ = runtimeBlocks(got.stdout); strings.Join(order, ",") != "prod" {
		t.Errorf("apply --all-runtimes with prod failed: want only prod tried, got %v:\n%s", order, got.stdout)
	}
	// Off a terminal apply is quiet: the runs above waited for objects
	// that were not there yet or had failed, and said nothing of it.
	if strings.Contains(r.all.String(), "waiting for ") {
		t.Errorf("apply off a terminal printed progress:\n%s", r.all.String())
	}

	// On a terminal it says on standard error what it waits for.
	c.SetApplicationStatus(t, argoNS, "prod", testcluster.AppStatus{Sync: "OutOfSync", Health: "Healthy", Revision: strings.Repeat("0", 40)})
	code, stdout, tty := r.onTerminal(t, "apply", "--runtime", "prod", "--timeout", "2s", "--dir", dir)
	waiting := "Application argocd/prod: sync OutOfSync, health Healthy, revision 000000000000 (want Synced, Healthy, " + commit[:12] + ")"
	want := "waiting for " + waiting + "\nrtconf: runtime prod is not live after 2s:\n  " + waiting + "\n"
	if code != 1 || tty != want {
		t.Errorf("apply on a terminal: exit %d, want 1; the terminal shows\n%s\nwant\n%s\nstdout:\n%s", code, tty, want, stdout)
	}

	// A failed sync is said once, as the final error, not also as a
	// "waiting for" line.
	c.SetApplicationStatus(t, argoNS, "prod", failed)
	code, stdout, tty = r.onTerminal(t, "apply", "--runtime", "prod", "--timeout", "2m", "--dir", dir)
	want = "rtconf: runtime prod is not live: Application argocd/prod: sync Failed: " + failed.Message + "\n"
	if code != 1 || tty != want {
		t.Errorf("apply on a terminal, sync failed: exit %d, want 1; the terminal shows\n%s\nwant\n%s\nstdout:\n%s", code, tty, want, stdout)
	}
}

// onTerminal runs rtconf with the cluster's kubeconfig and context, its
// standard error a pseudo-terminal; it returns the exit code, standard
// output and what the terminal shows.
func (r clusterRun) onTerminal(t *testing.T, args ...string) (code int, stdout, tty string) {
	t.Helper()
	term := newTerminal(t)
	var out bytes.Buffer
	full := append(append([]string{"rtconf"}, args...), "--kubeconfig", r.c.Kubeconfig, "--context", r.c.Context)
	code = run(context.Background(), full, strings.NewReader(""), &out, term.Tty, r.clock)
	tty = term.Output()
	r.all.WriteString(out.String() + tty)
	t.Logf("rtconf %s (standard error a terminal): exit %d\n%s%s", strings.Join(args, " "), code, out.String(), tty)
	return code, out.String(), tty
}
