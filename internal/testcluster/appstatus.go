package testcluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/retry"

	"github.com/rtconf/rtconf/internal/testclock"
)

// ApplicationGVR is Argo CD's Application resource.
var ApplicationGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}

// AppStatus is what Argo CD's application-controller reports about an
// Application (argo-cd v3.5.7's ApplicationStatus, the fields rtconf reads).
type AppStatus struct {
	// Sync is status.sync.status: Synced, OutOfSync or Unknown.
	Sync string
	// Health is status.health.status: Healthy, Progressing, Degraded,
	// Suspended, Missing or Unknown.
	Health string
	// Revision is the commit status.sync.revision was compared at (and
	// the operation synced, when Phase is set).
	Revision string
	// Message, when set, is status.conditions' one condition, of type
	// ConditionType (SyncError when empty), as Argo CD reports a sync
	// error; no conditions when empty.
	Message, ConditionType string
	// Phase, when set, is status.operationState.phase (Succeeded, Failed,
	// Error, Running) with Message as the operation's message.
	Phase string
	// At is the time of the report (reconciledAt, the operation's start
	// and finish); testclock.Default() when zero.
	At time.Time
}

// object is st as the status of an Application.
func (st AppStatus) object(defaultAt time.Time) map[string]any {
	at := st.At
	if at.IsZero() {
		at = defaultAt
	}
	ts := at.UTC().Format(time.RFC3339)
	status := map[string]any{
		"sync":         map[string]any{"status": st.Sync, "revision": st.Revision},
		"health":       map[string]any{"status": st.Health, "lastTransitionTime": ts},
		"reconciledAt": ts,
		"sourceType":   "Kustomize",
	}
	if st.Message != "" {
		typ := st.ConditionType
		if typ == "" {
			typ = "SyncError"
		}
		status["conditions"] = []any{map[string]any{"type": typ, "message": st.Message, "lastTransitionTime": ts}}
	}
	if st.Phase != "" {
		status["operationState"] = map[string]any{
			"operation":  map[string]any{"sync": map[string]any{"revision": st.Revision}},
			"phase":      st.Phase,
			"message":    st.Message,
			"startedAt":  ts,
			"finishedAt": ts,
			"syncResult": map[string]any{"revision": st.Revision},
		}
	}
	return status
}

// SetApplicationStatus replaces the .status of the Application
// namespace/name with st, as Argo CD's application-controller writes it
// (an update of the whole object: the CRD has no status subresource). It
// is the one place tests play Argo CD.
func (c *Cluster) SetApplicationStatus(t testing.TB, namespace, name string, st AppStatus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.setApplicationStatus(ctx, namespace, name, st); err != nil {
		t.Fatalf("testcluster: %v", err)
	}
}

func (c *Cluster) setApplicationStatus(ctx context.Context, namespace, name string, st AppStatus) error {
	apps := c.dyn.Resource(ApplicationGVR).Namespace(namespace)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		app, err := apps.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if err := unstructured.SetNestedField(app.Object, st.object(testclock.Default()), "status"); err != nil {
			return err
		}
		_, err = apps.Update(ctx, app, metav1.UpdateOptions{FieldManager: "argocd-application-controller"})
		return err
	})
	if err != nil {
		return fmt.Errorf("set the status of Application %s/%s: %w", namespace, name, err)
	}
	return nil
}
