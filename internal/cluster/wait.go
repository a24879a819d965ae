package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Target is what apply waits for: every SealedSecret unsealed, and the
// runtime's self-managing Application Synced and Healthy at Revision.
type Target struct {
	Secrets  []Ref
	App      Ref
	Revision string
}

// Observed is the state of a Target's objects at one moment.
type Observed struct {
	Secrets []SecretState `json:"sealedSecrets"`
	App     AppState      `json:"application"`
}

// Problem is one object that is not (yet) as wanted, and why, in the
// controller's or Argo CD's own words where they gave any.
type Problem struct {
	Ref     Ref    `json:"object"`
	Message string `json:"message"`
}

// Verdict is what Observed means for a Target.
type Verdict struct {
	// Done: every object is as wanted.
	Done bool
	// Failed is an object that will not get there without a change: a
	// SealedSecret the controller could not unseal, a sync that failed at
	// the revision.
	Failed *Problem
	// Waiting lists what is not there yet.
	Waiting []Problem
}

// Judge says what observed means for t. It is pure: Wait calls it after
// each look.
func Judge(t Target, o Observed) Verdict {
	var v Verdict
	for _, s := range o.Secrets {
		switch {
		case !s.Found:
			v.Waiting = append(v.Waiting, Problem{s.Ref, "not on the cluster"})
		case s.Current && !s.Unsealed && s.Reason != "":
			p := Problem{s.Ref, "the sealed-secrets controller cannot unseal it: " + s.Reason}
			if v.Failed == nil {
				v.Failed = &p
			}
			v.Waiting = append(v.Waiting, p)
		case !s.Unsealed:
			v.Waiting = append(v.Waiting, Problem{s.Ref, "not unsealed yet (no Synced condition from the sealed-secrets controller for this version: is it running?)"})
		}
	}
	a := o.App
	switch {
	case !a.Found:
		v.Waiting = append(v.Waiting, Problem{t.App, "not on the cluster"})
	case (a.Phase == "Failed" || a.Phase == "Error") && (a.OperationRevision == "" || a.OperationRevision == t.Revision):
		p := Problem{a.Ref, fmt.Sprintf("sync %s: %s", a.Phase, a.Message)}
		if v.Failed == nil {
			v.Failed = &p
		}
		v.Waiting = append(v.Waiting, p)
	case a.Sync != "Synced" || a.Health != "Healthy" || a.Revision != t.Revision:
		msg := fmt.Sprintf("sync %s, health %s, revision %s (want Synced, Healthy, %s)", orNone(a.Sync), orNone(a.Health), orNone(short(a.Revision)), short(t.Revision))
		for _, c := range a.Conditions {
			msg += "; " + c
		}
		if a.Message != "" {
			msg += "; last operation: " + a.Message
		}
		v.Waiting = append(v.Waiting, Problem{a.Ref, msg})
	}
	v.Done = len(v.Waiting) == 0
	return v
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// Observe reads the state of t's objects once.
func (c *Client) Observe(ctx context.Context, t Target) (Observed, error) {
	var o Observed
	for _, r := range t.Secrets {
		s, err := c.SealedSecret(ctx, r.Namespace, r.Name)
		if err != nil {
			return o, err
		}
		o.Secrets = append(o.Secrets, s)
	}
	a, err := c.Application(ctx, t.App.Namespace, t.App.Name)
	if err != nil {
		return o, err
	}
	o.App = a
	return o, nil
}

// ErrTimeout is Wait's error when ctx ended before t was reached; the
// verdict says what was still waiting.
var ErrTimeout = errors.New("timed out")

// Wait looks at t's objects every interval until they are all as wanted
// (nil), one has failed (the verdict's Failed), or ctx ends (ErrTimeout,
// the verdict's Waiting says what was missing). progress, when set, is
// called whenever what is waiting changes.
func (c *Client) Wait(ctx context.Context, t Target, interval time.Duration, progress func(Verdict)) (Verdict, error) {
	var last []Problem
	for {
		o, err := c.Observe(ctx, t)
		if err != nil {
			if ctx.Err() != nil {
				return Verdict{Waiting: last}, ErrTimeout
			}
			return Verdict{}, err
		}
		v := Judge(t, o)
		// The final verdict is the caller's to report: progress is only
		// told what is still awaited, so a failure is said once.
		if progress != nil && !v.Done && v.Failed == nil && !slices.Equal(v.Waiting, last) {
			progress(v)
		}
		last = v.Waiting
		if v.Done || v.Failed != nil {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return v, ErrTimeout
		case <-time.After(interval):
		}
	}
}
