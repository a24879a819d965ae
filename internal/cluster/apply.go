package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

var getOpts = metav1.GetOptions{}

// Ref names one object on the cluster.
type Ref struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

func (r Ref) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// RefOf is the reference of obj.
func RefOf(obj *unstructured.Unstructured) Ref {
	return Ref{Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// Action is what applying did to an object.
type Action string

// The actions of Apply.
const (
	Created    Action = "created"
	Configured Action = "configured"
	Unchanged  Action = "unchanged"
)

// Applied is one object Apply sent, and what the server did with it.
type Applied struct {
	Ref    Ref    `json:"object"`
	Action Action `json:"action"`
}

// Kinds rtconf reads back.
const (
	KindSealedSecret = "SealedSecret"
	KindApplication  = "Application"
	repoCredsLabel   = "argocd.argoproj.io/secret-type"
)

// Order sorts objs for applying: Argo CD's repository credentials first
// (without them Argo CD cannot fetch the rest), then the other
// SealedSecrets, then everything else, each group in its given order.
func Order(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	rank := func(o *unstructured.Unstructured) int {
		switch {
		case o.GetKind() == KindSealedSecret && o.GetLabels()[repoCredsLabel] != "":
			return 0
		case o.GetKind() == KindSealedSecret:
			return 1
		}
		return 2
	}
	out := append([]*unstructured.Unstructured(nil), objs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// EnsureNamespaces creates each namespace that does not exist, as Argo
// CD's CreateNamespace=true does: created, never updated or deleted. It
// returns the namespaces it created (or, with dryRun, would create).
func (c *Client) EnsureNamespaces(ctx context.Context, names []string, dryRun bool) ([]string, error) {
	var created []string
	seen := map[string]bool{}
	for _, ns := range names {
		if ns == "" || seen[ns] {
			continue
		}
		seen[ns] = true
		_, err := c.core.CoreV1().Namespaces().Get(ctx, ns, getOpts)
		if err == nil {
			continue
		}
		if !apierrors.IsNotFound(err) {
			return created, fmt.Errorf("read namespace %s: %w", ns, c.classify(err))
		}
		opts := metav1.CreateOptions{FieldManager: FieldManager}
		if dryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		obj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}
		if _, err := c.core.CoreV1().Namespaces().Create(ctx, obj, opts); err != nil && !apierrors.IsAlreadyExists(err) {
			return created, fmt.Errorf("create namespace %s: %w", ns, c.classify(err))
		}
		created = append(created, ns)
	}
	return created, nil
}

// Apply sends each object with server-side apply, in the given order, and
// says what the server did with it. With dryRun the server only says what
// it would do; an object in one of newNamespaces (those a dry run of
// EnsureNamespaces would create) cannot be sent, since its namespace is
// not there: it would be created. Fields another manager set to other
// values are taken over (force): the objects are what Git holds, which
// Argo CD applies too.
func (c *Client) Apply(ctx context.Context, objs []*unstructured.Unstructured, dryRun bool, newNamespaces ...string) ([]Applied, error) {
	var out []Applied
	for _, obj := range objs {
		ref := RefOf(obj)
		if dryRun && slices.Contains(newNamespaces, obj.GetNamespace()) {
			out = append(out, Applied{Ref: ref, Action: Created})
			continue
		}
		gvk := obj.GroupVersionKind()
		m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			if err := c.classify(err); isUnreachable(err) {
				return out, fmt.Errorf("apply %s: %w", ref, err)
			}
			return out, &ObjectError{Ref: ref, Message: fmt.Sprintf("the cluster does not serve %s (%v): install its CustomResourceDefinition first", gvk.GroupVersion().WithKind(gvk.Kind), err)}
		}
		res := c.dyn.Resource(m.Resource)
		var ri interface {
			Get(context.Context, string, metav1.GetOptions, ...string) (*unstructured.Unstructured, error)
			Apply(context.Context, string, *unstructured.Unstructured, metav1.ApplyOptions, ...string) (*unstructured.Unstructured, error)
		} = res
		if m.Scope.Name() == "namespace" {
			ri = res.Namespace(obj.GetNamespace())
		}
		before, err := ri.Get(ctx, obj.GetName(), getOpts)
		switch {
		case apierrors.IsNotFound(err):
			before = nil
		case err != nil:
			return out, c.objectError(ref, "read", err)
		}
		opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: true}
		if dryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		after, err := ri.Apply(ctx, obj.GetName(), obj, opts)
		if err != nil {
			return out, c.objectError(ref, "apply", err)
		}
		action := Configured
		switch {
		case before == nil:
			action = Created
		case sameObject(before, after):
			action = Unchanged
		}
		out = append(out, Applied{Ref: ref, Action: action})
	}
	return out, nil
}

// sameObject compares two states of an object, without the bookkeeping a
// write changes even when nothing else does.
func sameObject(a, b *unstructured.Unstructured) bool {
	strip := func(u *unstructured.Unstructured) map[string]any {
		c := u.DeepCopy().Object
		if md, ok := c["metadata"].(map[string]any); ok {
			for _, k := range []string{"managedFields", "resourceVersion", "generation"} {
				delete(md, k)
			}
		}
		return c
	}
	return equality.Semantic.DeepEqual(strip(a), strip(b))
}

// ObjectError is an object the cluster refused, with the API server's own
// message.
type ObjectError struct {
	Ref     Ref
	Message string
}

func (e *ObjectError) Error() string { return e.Ref.String() + ": " + e.Message }

func (c *Client) objectError(ref Ref, verb string, err error) error {
	err = c.classify(err)
	if isUnreachable(err) {
		return fmt.Errorf("%s %s: %w", verb, ref, err)
	}
	return &ObjectError{Ref: ref, Message: err.Error()}
}

func isUnreachable(err error) bool {
	var ue *UnreachableError
	return errors.As(err, &ue)
}
