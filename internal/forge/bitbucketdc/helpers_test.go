package bitbucketdc_test

import (
	"context"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakebitbucketdc"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/bitbucketdc"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

// Tokens of the fake: personal tokens of robot (a project admin of ACME)
// and dev (write on the repository), a project token and a repository
// token of ACME, and tokens that expire.
var (
	tokAdmin    = testcreds.BitbucketDC("100000000001", "adminadmin")
	tokAdminRW  = testcreds.BitbucketDC("100000000002", "adminrw")
	tokDev      = testcreds.BitbucketDC("100000000003", "devdev")
	tokReader   = testcreds.BitbucketDC("100000000004", "readerreader")
	tokProject  = testcreds.BitbucketDC("100000000005", "projectproject")
	tokRepo     = testcreds.BitbucketDC("100000000006", "repositoryrepo")
	tokExpired  = testcreds.BitbucketDC("100000000007", "expiredexpired")
	tokExpiring = testcreds.BitbucketDC("100000000008", "expiringexpiring")
	tokOutsider = testcreds.BitbucketDC("100000000009", "outsideroutsider")
	tokUnknown  = testcreds.BitbucketDC("100000000010", "unknownunknown")
)

func fake(t *testing.T, now time.Time) *fakebitbucketdc.Server {
	t.Helper()
	return fakebitbucketdc.New(t, fakebitbucketdc.Options{
		Now: testclock.Fixed(now),
		Tokens: []fakebitbucketdc.Token{
			{Value: tokAdmin, User: "robot", Name: "rtconf runtime", ProjectPerm: fakebitbucketdc.Admin, RepoPerm: fakebitbucketdc.Admin, Expires: now.Add(90 * 24 * time.Hour)},
			{Value: tokAdminRW, User: "robot", ProjectPerm: fakebitbucketdc.Read, RepoPerm: fakebitbucketdc.Write},
			{Value: tokDev, User: "dev", ProjectPerm: fakebitbucketdc.Write, RepoPerm: fakebitbucketdc.Write},
			{Value: tokReader, User: "dev", ProjectPerm: fakebitbucketdc.Read, RepoPerm: fakebitbucketdc.Read},
			{Value: tokProject, User: "project-acme-bot", Kind: fakebitbucketdc.Project, Project: "ACME", ProjectPerm: fakebitbucketdc.Admin, RepoPerm: fakebitbucketdc.Admin},
			{Value: tokRepo, User: "repo-cfg-bot", Kind: fakebitbucketdc.Repository, Project: "ACME", Repo: "shared-config", RepoPerm: fakebitbucketdc.Write},
			{Value: tokExpired, User: "robot", ProjectPerm: fakebitbucketdc.Admin, RepoPerm: fakebitbucketdc.Admin, Expires: now.Add(-time.Hour)},
			{Value: tokExpiring, User: "robot", ProjectPerm: fakebitbucketdc.Admin, RepoPerm: fakebitbucketdc.Admin, Expires: now.Add(3 * 24 * time.Hour)},
			{Value: tokOutsider, User: "outsider", ProjectPerm: fakebitbucketdc.Admin, RepoPerm: fakebitbucketdc.Admin},
		},
		Projects: []fakebitbucketdc.Proj{{Key: "ACME", Perms: map[string]int{"robot": fakebitbucketdc.Admin, "dev": fakebitbucketdc.Read}}},
		Repos:    []fakebitbucketdc.Repo{{Project: "ACME", Slug: "shared-config", Perms: map[string]int{"dev": fakebitbucketdc.Write}}},
	})
}

func opts(s *fakebitbucketdc.Server, now time.Time) forge.Options {
	o := bitbucketdc.DefaultOptions()
	o.APIURL, o.HTTPClient, o.Now = s.URL(), s.Client(), now
	o.Owner, o.Repo = "ACME", "shared-config"
	o.Sleep = func(context.Context, time.Duration) error { return nil }
	o.Timeout = 2 * time.Second
	return o
}

func parse(t testing.TB, v string) token.Token {
	t.Helper()
	tok, err := bitbucketdc.ParseToken(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func verdicts(res forge.Result) map[string]forge.Requirement {
	out := map[string]forge.Requirement{}
	for _, r := range res.Requirements {
		out[r.Name] = r
	}
	return out
}
