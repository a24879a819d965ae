package testcluster

import (
	"context"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// SetupScript points a testscript's environment at the cluster: KUBECONFIG
// (its current context is the cluster's), KUBE_CONTEXT, and
// SEALED_SECRETS_NAMESPACE and SEALED_SECRETS_NAME (the controller's
// Service). Call it from testscript.Params.Setup; one cluster may serve
// many scripts.
func (c *Cluster) SetupScript(env *testscript.Env) error {
	env.Setenv("KUBECONFIG", c.Kubeconfig)
	env.Setenv("KUBE_CONTEXT", c.Context)
	env.Setenv("SEALED_SECRETS_NAMESPACE", c.ControllerNamespace)
	env.Setenv("SEALED_SECRETS_NAME", c.ControllerName)
	return nil
}

// ScriptCmds are testscript commands on the cluster, for
// testscript.Params.Cmds:
//
//	appstatus NAMESPACE NAME key=value...
//
// sets an Application's status as Argo CD would (SetApplicationStatus);
// keys: sync, health, revision, message, condition (ConditionType),
// phase. `! appstatus` expects a failure (no such Application). A script
// can run `exec rtconf apply ... &`, then appstatus, then
// wait.
func (c *Cluster) ScriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"appstatus": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) < 2 {
				ts.Fatalf("usage: appstatus NAMESPACE NAME key=value...")
			}
			var st AppStatus
			fields := map[string]*string{"sync": &st.Sync, "health": &st.Health, "revision": &st.Revision,
				"message": &st.Message, "condition": &st.ConditionType, "phase": &st.Phase}
			for _, kv := range args[2:] {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || fields[k] == nil {
					ts.Fatalf("appstatus: %q: want key=value with key one of sync, health, revision, message, condition, phase", kv)
				}
				*fields[k] = v
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			err := c.setApplicationStatus(ctx, args[0], args[1], st)
			switch {
			case neg && err == nil:
				ts.Fatalf("appstatus %s/%s succeeded, want a failure", args[0], args[1])
			case !neg:
				ts.Check(err)
			}
		},
	}
}
