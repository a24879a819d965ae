package cluster

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The resources rtconf reads back.
var (
	sealedSecrets = schema.GroupVersionResource{Group: "bitnami.com", Version: "v1alpha1", Resource: "sealedsecrets"}
	applications  = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}
)

// SecretState is what the cluster says of a SealedSecret.
type SecretState struct {
	Ref   Ref  `json:"object"`
	Found bool `json:"found"`
	// Unsealed: the controller's Synced condition is True for the
	// object's current generation.
	Unsealed bool `json:"unsealed"`
	// Current: the controller has looked at this generation.
	Current bool `json:"current"`
	// Reason is the controller's message when it could not unseal it.
	Reason string `json:"reason,omitempty"`
}

// AppState is what the cluster says of an Argo CD Application.
type AppState struct {
	Ref      Ref    `json:"object"`
	Found    bool   `json:"found"`
	Sync     string `json:"sync,omitempty"`
	Health   string `json:"health,omitempty"`
	Revision string `json:"revision,omitempty"`
	// Phase and Message are of the last sync operation.
	Phase   string `json:"operationPhase,omitempty"`
	Message string `json:"operationMessage,omitempty"`
	// OperationRevision is the revision the last sync operation synced.
	OperationRevision string `json:"operationRevision,omitempty"`
	// Conditions are Argo CD's error and warning conditions, "Type: message".
	Conditions []string `json:"conditions,omitempty"`
}

// SealedSecret reads the state of one SealedSecret.
func (c *Client) SealedSecret(ctx context.Context, namespace, name string) (SecretState, error) {
	st := SecretState{Ref: Ref{Kind: KindSealedSecret, Namespace: namespace, Name: name}}
	obj, err := c.dyn.Resource(sealedSecrets).Namespace(namespace).Get(ctx, name, getOpts)
	if apierrors.IsNotFound(err) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read %s: %w", st.Ref, c.classify(err))
	}
	return SecretStateOf(obj), nil
}

// SecretStateOf reads a SealedSecret's status as the controller writes it.
func SecretStateOf(obj *unstructured.Unstructured) SecretState {
	st := SecretState{Ref: RefOf(obj), Found: true}
	observed, _, _ := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	st.Current = observed >= obj.GetGeneration()
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] != "Synced" {
			continue
		}
		st.Unsealed = st.Current && m["status"] == "True"
		if m["status"] == "False" {
			st.Reason, _ = m["message"].(string)
			if st.Reason == "" {
				st.Reason, _ = m["reason"].(string)
			}
		}
	}
	return st
}

// Application reads the state of one Argo CD Application.
func (c *Client) Application(ctx context.Context, namespace, name string) (AppState, error) {
	st := AppState{Ref: Ref{Kind: KindApplication, Namespace: namespace, Name: name}}
	obj, err := c.dyn.Resource(applications).Namespace(namespace).Get(ctx, name, getOpts)
	if apierrors.IsNotFound(err) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read %s: %w", st.Ref, c.classify(err))
	}
	return AppStateOf(obj), nil
}

// AppStateOf reads an Application's status as Argo CD's
// application-controller writes it.
func AppStateOf(obj *unstructured.Unstructured) AppState {
	s := func(path ...string) string {
		v, _, _ := unstructured.NestedString(obj.Object, append([]string{"status"}, path...)...)
		return v
	}
	st := AppState{
		Ref: RefOf(obj), Found: true,
		Sync: s("sync", "status"), Health: s("health", "status"), Revision: s("sync", "revision"),
		Phase: s("operationState", "phase"), Message: s("operationState", "message"),
		OperationRevision: s("operationState", "syncResult", "revision"),
	}
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		t, _ := m["type"].(string)
		msg, _ := m["message"].(string)
		st.Conditions = append(st.Conditions, t+": "+msg)
	}
	return st
}
