// Package status tells, per runtime, what is still missing before the
// runtime is complete: sealed Git tokens, its self-managing Application,
// its managed clusters' Applications. It reads a repository through fs.FS.
package status

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/labels"
	"github.com/rtconf/rtconf/internal/seal"
)

// State of a token's place.
type State string

// The states a token can be in.
const (
	Sealed  State = "sealed"
	Pending State = "pending"
	// Missing: the file is not there; `rtconf generate` writes it.
	Missing State = "missing"
	// Covered: the runtime token serves as this user's token.
	Covered State = "covered by runtime token"
	// Unknown: the file is there but holds neither a placeholder nor a
	// SealedSecret.
	Unknown State = "unrecognised"
	// Unusable: a SealedSecret whose ciphertext the pinned certificate's
	// key cannot have made (seal.CheckCiphertext: what rtconf validate
	// reports as a ciphertext error), e.g. sealed for the old key before
	// a re-pin to a certificate with another key size.
	Unusable State = "unusable"
)

// appKind is the token kind of sealed GitHub App credentials: the runtime
// token's place may hold them, and they count as sealed.
const appKind = "github-app"

// Token is the state of one Git token.
type Token struct {
	User      string `json:"user,omitempty"`
	State     State  `json:"state"`
	Kind      string `json:"kind,omitempty"`
	SealedAt  string `json:"sealedAt,omitempty"`
	ExpiresAt string `json:"expiresAt,omitempty"`
	// Verification is how the live check went when it was sealed.
	Verification string `json:"verification,omitempty"`
	// Problem says why an unusable token is.
	Problem string `json:"problem,omitempty"`
	Path    string `json:"path"`
}

// Cluster is a managed cluster and whether its Application is there.
type Cluster struct {
	Name        string `json:"name"`
	Application bool   `json:"application"`
}

// Runtime is the status of one runtime.
type Runtime struct {
	Name         string    `json:"name"`
	Complete     bool      `json:"complete"`
	Application  bool      `json:"application"`
	RuntimeToken Token     `json:"runtimeToken"`
	Users        []Token   `json:"users"`
	Clusters     []Cluster `json:"managedClusters"`
}

// Report is the status of every runtime, in configuration order.
type Report struct {
	Complete bool      `json:"complete"`
	Runtimes []Runtime `json:"runtimes"`
}

// Compute reads the repository in tree, configured by cfg. A runtime is
// complete when rtconf validate finds nothing wrong with what status
// checks: its Applications are there and every token it needs is a
// SealedSecret whose values the pinned certificate's key can have made.
func Compute(tree fs.FS, cfg *config.Config) (Report, error) {
	rep := Report{Complete: true}
	keyBytes := pinnedKeyBytes(tree, cfg)
	for _, rt := range cfg.Runtimes {
		r, err := runtime(tree, cfg, rt, keyBytes)
		if err != nil {
			return Report{}, err
		}
		rep.Complete = rep.Complete && r.Complete
		rep.Runtimes = append(rep.Runtimes, r)
	}
	return rep, nil
}

// pinnedKeyBytes is the size in bytes of the pinned certificate's RSA
// key, 0 when there is none to read (validate reports that on its own).
func pinnedKeyBytes(tree fs.FS, cfg *config.Config) int {
	if cfg.Sealing.Certificate == "" {
		return 0
	}
	data, err := fs.ReadFile(tree, cfg.Sealing.Certificate)
	if err != nil {
		return 0
	}
	cert, err := seal.ParseCertificate(cfg.Sealing.Certificate, data)
	if err != nil {
		return 0
	}
	return cert.Key.Size()
}

func runtime(tree fs.FS, cfg *config.Config, rt config.Runtime, keyBytes int) (Runtime, error) {
	overlay := generator.OverlayDir(rt.Name)
	r := Runtime{Name: rt.Name, Users: []Token{}, Clusters: []Cluster{}}
	var err error
	if r.Application, err = hasObject(tree, generator.ApplicationPath(rt.Name), "Application", config.AppName(rt)); err != nil {
		return r, err
	}
	if r.RuntimeToken, err = tokenAt(tree, generator.RuntimeTokenPath(rt.Name), keyBytes); err != nil {
		return r, err
	}
	if r.RuntimeToken.State == Sealed && r.RuntimeToken.Kind == appKind && rt.RuntimeTokenAsUserToken {
		// What validate reports as a config error: an App is never a user.
		r.RuntimeToken.State = Unusable
		r.RuntimeToken.Problem = "a GitHub App cannot serve as the users' tokens (runtimeTokenAsUserToken: true): set it to false and seal each user's token"
	}
	complete := r.Application && r.RuntimeToken.State == Sealed
	for _, login := range rt.Users {
		login = strings.ToLower(login)
		t := Token{User: login, State: Covered}
		if !rt.RuntimeTokenAsUserToken {
			if t, err = tokenAt(tree, path.Join(overlay, generator.UserTokenPath(login)), keyBytes); err != nil {
				return r, err
			}
			t.User = login
			complete = complete && t.State == Sealed
		}
		r.Users = append(r.Users, t)
	}
	for _, cl := range rt.ManagedClusters {
		ok, err := hasObject(tree, path.Join(generator.DirRuntimes, rt.Name, cl.Name+".yaml"), "Application", config.ClusterAppName(rt, cl))
		if err != nil {
			return r, err
		}
		complete = complete && ok
		r.Clusters = append(r.Clusters, Cluster{Name: cl.Name, Application: ok})
	}
	r.Complete = complete
	return r, nil
}

type object struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name        string            `json:"name"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec struct {
		EncryptedData map[string]any `json:"encryptedData"`
	} `json:"spec"`
}

func readObject(tree fs.FS, p string) (*object, error) {
	data, err := fs.ReadFile(tree, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	var obj object
	if err := yaml.Unmarshal(data, &obj); err != nil {
		return &object{}, nil
	}
	return &obj, nil
}

func hasObject(tree fs.FS, p, kind, name string) (bool, error) {
	obj, err := readObject(tree, p)
	if err != nil || obj == nil {
		return false, err
	}
	return obj.Kind == kind && obj.Metadata.Name == name, nil
}

func tokenAt(tree fs.FS, p string, keyBytes int) (Token, error) {
	t := Token{Path: p, State: Missing}
	obj, err := readObject(tree, p)
	if err != nil || obj == nil {
		return t, err
	}
	switch {
	case obj.Kind == "SealedSecret":
		t.State = Sealed
		t.Kind = obj.Metadata.Annotations[seal.AnnotationTokenKind]
		t.SealedAt = obj.Metadata.Annotations[seal.AnnotationSealedAt]
		t.ExpiresAt = obj.Metadata.Annotations[seal.AnnotationExpiresAt]
		t.Verification = obj.Metadata.Annotations[seal.AnnotationVerification]
		keys := make([]string, 0, len(obj.Spec.EncryptedData))
		for k := range obj.Spec.EncryptedData {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, _ := obj.Spec.EncryptedData[k].(string)
			if msg := seal.CheckCiphertext(v, keyBytes); msg != "" {
				t.State, t.Problem = Unusable, "encryptedData."+k+" "+msg
				break
			}
		}
	case obj.Kind == "ConfigMap" && obj.Metadata.Labels[labels.TokenState] == labels.StatePending:
		t.State = Pending
	default:
		t.State = Unknown
	}
	return t, nil
}
