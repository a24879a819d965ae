package fakegitlab

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/rtconf/rtconf/internal/testclock"
)

// fastRetries makes client-go retry 429 and 5xx (its own CheckRetry) without
// waiting: its default backoff reads RateLimit-Reset against the wall clock.
var fastRetries = gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return time.Millisecond
})

// retrying is client without WithoutRetries.
func retrying(t *testing.T, s *Server, token string) *gitlab.Client {
	t.Helper()
	c, err := gitlab.NewClient(token, gitlab.WithBaseURL(s.URL()), gitlab.WithHTTPClient(s.Client()), fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRateLimitHeaders(t *testing.T) {
	var now atomic.Int64
	start := testclock.Default()
	now.Store(start.UnixNano())
	o := options()
	o.Now = func() time.Time { return time.Unix(0, now.Load()).UTC() }
	s := New(t, o)
	for i, tc := range []struct {
		token, path           string
		status                int
		name, limit, observed string
		reset                 time.Time
		advance               time.Duration // before the request
	}{
		{tokMaint, "/user", 200, "throttle_authenticated_api", "2000", "1", start.Add(time.Minute), 0},
		{tokMaint, "/projects/acme%2Fnope", 404, "throttle_authenticated_api", "2000", "2", start.Add(time.Minute), 0},
		{"", "/user", 401, "throttle_unauthenticated_api", "500", "1", start.Add(time.Minute), 0},
		{"glpat-nope", "/user", 401, "throttle_unauthenticated_api", "500", "2", start.Add(time.Minute), 0},
		{tokMaint, "/user", 200, "throttle_authenticated_api", "2000", "1", start.Add(2 * time.Minute), 61 * time.Second},
	} {
		now.Add(int64(tc.advance))
		resp, _ := raw(t, s, "GET", tc.path, tc.token, "")
		h := resp.Header
		remaining, _ := strconv.Atoi(tc.limit)
		observed, _ := strconv.Atoi(tc.observed)
		if resp.StatusCode != tc.status || h.Get("RateLimit-Name") != tc.name || h.Get("RateLimit-Limit") != tc.limit ||
			h.Get("RateLimit-Observed") != tc.observed || h.Get("RateLimit-Remaining") != strconv.Itoa(remaining-observed) ||
			h.Get("RateLimit-Reset") != strconv.FormatInt(tc.reset.Unix(), 10) ||
			h.Get("RateLimit-ResetTime") != tc.reset.Format(http.TimeFormat) {
			t.Errorf("request %d: %d %v", i, resp.StatusCode, h)
		}
	}
}

func TestRateLimit(t *testing.T) {
	s := New(t, options())
	s.RateLimit(1, 30)
	resp, body := raw(t, s, "GET", "/user", tokMaint, "")
	h := resp.Header
	if resp.StatusCode != 429 || body != "Retry later\n" || h.Get("Retry-After") != "30" || h.Get("Content-Type") != "text/plain" ||
		h.Get("RateLimit-Remaining") != "0" || h.Get("RateLimit-Observed") != "2000" ||
		h.Get("RateLimit-Reset") != strconv.FormatInt(testclock.Default().Add(30*time.Second).Unix(), 10) {
		t.Fatalf("%d %q %v", resp.StatusCode, body, h)
	}
	if resp, _ := raw(t, s, "GET", "/user", tokMaint, ""); resp.StatusCode != 200 {
		t.Errorf("after the limit: %d", resp.StatusCode)
	}

	s.RateLimit(1, -1)
	if resp, _ := raw(t, s, "GET", "/user", tokMaint, ""); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" {
		t.Errorf("without Retry-After: %d %v", resp.StatusCode, resp.Header)
	}

	s.RateLimit(1, 30)
	if _, _, err := client(t, s, tokMaint, false).Users.CurrentUser(); statusOf(t, err) != 429 {
		t.Errorf("client-go without retries: %v, want 429", err)
	}
	before := len(s.Requests())
	s.RateLimit(2, 1)
	if _, _, err := retrying(t, s, tokMaint).Users.CurrentUser(); err != nil {
		t.Errorf("client-go retries 429: %v", err)
	}
	if got := len(s.Requests()) - before; got != 3 {
		t.Errorf("%d requests for one call over two 429s, want 3", got)
	}
}

func TestAnonymousLimitRunsOut(t *testing.T) {
	s := New(t, Options{Now: testclock.Fixed(testclock.Default()), Projects: []Project{{PathWithNamespace: "u/p", Visibility: "public"}}})
	for i := 1; i <= 501; i++ {
		resp, body := raw(t, s, "GET", "/projects/u%2Fp", "", "")
		if i <= 500 && resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
		if i == 501 && (resp.StatusCode != 429 || body != "Retry later\n" || resp.Header.Get("Retry-After") != "60") {
			t.Errorf("request 501: %d %q %v", resp.StatusCode, body, resp.Header)
		}
	}
}

func TestFault(t *testing.T) {
	s := New(t, options())
	h := http.Header{}
	h.Set("X-Fault", "yes")
	s.Fault("/projects/acme%2Fplatform", 1, 503, h, `{"message":"down"}`)
	_, _, err := client(t, s, tokMaint, false).Projects.GetProject(config, nil)
	if statusOf(t, err) != 503 || messageOf(t, err) != "{message: down}" {
		t.Fatalf("fault: %v", err)
	}
	if log := s.Requests(); log[0].Path != "/projects/acme%2Fplatform%2Fconfig" {
		t.Errorf("path %q", log[0].Path)
	}
	if _, _, err := client(t, s, tokMaint, false).Projects.GetProject("acme/secret", nil); err != nil {
		t.Errorf("another project: %v", err)
	}
	s.Fault("/projects/", 2, 502, nil, "")
	if _, _, err := retrying(t, s, tokMaint).Projects.GetProject(config, nil); err != nil {
		t.Errorf("client-go retries 5xx: %v", err)
	}
	s.Fault("/user", -1, 500, h, "oops")
	for range 2 {
		resp, body := raw(t, s, "GET", "/user", tokMaint, "")
		if resp.StatusCode != 500 || body != "oops" || resp.Header.Get("X-Fault") != "yes" || resp.Header.Get("RateLimit-Limit") == "" {
			t.Errorf("forever fault: %d %q %v", resp.StatusCode, body, resp.Header)
		}
	}
}

func TestStallAndLatency(t *testing.T) {
	o := options()
	o.Latency = time.Minute
	s := New(t, o)
	c := s.Client()
	c.Timeout = 200 * time.Millisecond
	req, _ := http.NewRequest("GET", s.URL()+"user", nil)
	if _, err := c.Do(req); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("request with a minute's latency: err %v, want a client timeout", err)
	}
	s = New(t, options())
	s.Stall(1, time.Minute)
	c = s.Client()
	c.Timeout = 200 * time.Millisecond
	req, _ = http.NewRequest("GET", s.URL()+"user", nil)
	if _, err := c.Do(req); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("stalled request: err %v, want a client timeout", err)
	}
	if resp, _ := raw(t, s, "GET", "/user", tokMaint, ""); resp.StatusCode != 200 {
		t.Errorf("after the stall: %d", resp.StatusCode)
	}
}

func TestResetConnection(t *testing.T) {
	s := New(t, options())
	raw(t, s, "GET", "/user", tokMaint, "") // leaves a keep-alive connection to reuse
	s.ResetConnection(2)
	for _, method := range []string{"GET", "POST"} {
		req, _ := http.NewRequest(method, s.URL()+"projects/1001/merge_requests", strings.NewReader("{}"))
		if resp, err := s.Client().Do(req); err == nil {
			resp.Body.Close()
			t.Errorf("%s: status %d, want a connection error", method, resp.StatusCode)
		}
	}
	if _, _, err := client(t, s, tokMaint, false).Users.CurrentUser(); err != nil {
		t.Errorf("after the resets: %v", err)
	}
	s.ResetConnection(1)
	if _, _, err := client(t, s, tokMaint, false).Users.CurrentUser(); err == nil {
		t.Error("client-go through a reset: no error")
	}
}

func TestCutBody(t *testing.T) {
	s := New(t, options())
	s.CutBody(1)
	req, _ := http.NewRequest("GET", s.URL()+"user", nil)
	req.Header.Set("PRIVATE-TOKEN", tokMaint)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("headers should arrive: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	if b, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("body %q, err %v; want io.ErrUnexpectedEOF", b, err)
	}
	s.CutBody(1)
	if _, _, err := client(t, s, tokMaint, false).Users.CurrentUser(); err == nil {
		t.Error("client-go on a cut body: no error")
	}
}

func TestRequestLog(t *testing.T) {
	s := New(t, options())
	c := client(t, s, tokMaint, false)
	c.Projects.GetProject(config, nil)
	client(t, s, tokDev, true).MergeRequests.CreateMergeRequest(config, &gitlab.CreateMergeRequestOptions{
		SourceBranch: gitlab.Ptr("a"), TargetBranch: gitlab.Ptr("main"), Title: gitlab.Ptr("t")})
	c.MergeRequests.ListProjectMergeRequests(1001, &gitlab.ListProjectMergeRequestsOptions{State: gitlab.Ptr("opened")})
	log := s.Requests()
	if len(log) != 3 {
		t.Fatalf("%d requests logged", len(log))
	}
	if log[0].Method != "GET" || log[0].Path != "/projects/acme%2Fplatform%2Fconfig" || log[0].Header.Get("Private-Token") != tokMaint {
		t.Errorf("first %+v", log[0])
	}
	if log[1].Method != "POST" || log[1].Header.Get("Authorization") != "Bearer "+tokDev || !strings.Contains(log[1].Body, `"source_branch":"a"`) {
		t.Errorf("second %+v", log[1])
	}
	if log[2].Path != "/projects/1001/merge_requests" || log[2].Query != "state=opened" {
		t.Errorf("third %+v", log[2])
	}
	log[0].Header.Set("Private-Token", "changed")
	if s.Requests()[0].Header.Get("Private-Token") == "changed" {
		t.Error("Requests hands out the log's own headers")
	}
}

func TestTLS(t *testing.T) {
	o := options()
	o.TLS = true
	s := New(t, o)
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") || !strings.HasSuffix(s.URL(), "/api/v4/") || s.Certificate() == nil {
		t.Fatalf("URL %s", s.URL())
	}
	if _, _, err := client(t, s, tokMaint, false).Users.CurrentUser(); err != nil {
		t.Error(err)
	}
	resp, err := s.Client().Get(s.WebURL() + "/user")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || len(s.Requests()) != 2 || s.Requests()[1].Path != "/user" {
		t.Errorf("outside /api/v4: %d, %+v", resp.StatusCode, s.Requests())
	}
}

func TestConcurrentUse(t *testing.T) {
	s := New(t, options())
	const n = 40
	var wg sync.WaitGroup
	observed := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			if i%10 == 0 {
				s.Fault("/nowhere", 1, 500, nil, "")
				_ = s.Requests()
				_ = s.MergeRequests(config)
			}
			req, _ := http.NewRequest("POST", s.URL()+"projects/1001/merge_requests",
				strings.NewReader(`{"source_branch":"b`+strconv.Itoa(i)+`","target_branch":"main","title":"t"}`))
			req.Header.Set("PRIVATE-TOKEN", tokMaint)
			req.Header.Set("Content-Type", "application/json")
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			observed <- resp.Header.Get("RateLimit-Observed")
		})
	}
	wg.Wait()
	close(observed)
	seen := map[string]bool{}
	for r := range observed {
		if seen[r] {
			t.Errorf("observed %s seen twice", r)
		}
		seen[r] = true
	}
	if got := len(s.MergeRequests(config)); got != n {
		t.Errorf("%d merge requests, want %d", got, n)
	}
}
