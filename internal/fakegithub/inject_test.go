package fakegithub

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/testclock"
)

func TestPrimaryRateLimit(t *testing.T) {
	s := New(t, options())
	reset := testclock.Default().Add(30 * time.Minute)
	s.PrimaryRateLimit(1, reset)
	resp, body := call(t, s, "GET", "/repos/acme/config", classic, "")
	// go-github v60 CheckResponse: 403 with X-RateLimit-Remaining "0" is a *RateLimitError.
	if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("status %d remaining %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
	if got := resp.Header.Get("X-RateLimit-Reset"); got != strconv.FormatInt(reset.Unix(), 10) {
		t.Errorf("reset %s, want %d", got, reset.Unix())
	}
	if got := message(t, body); got != "API rate limit exceeded for user ID 1." {
		t.Errorf("message %q", got)
	}
	if resp.Header.Get("X-RateLimit-Resource") != "core" || resp.Header.Get("X-RateLimit-Used") != "5000" {
		t.Errorf("resource %q used %q", resp.Header.Get("X-RateLimit-Resource"), resp.Header.Get("X-RateLimit-Used"))
	}
	if resp, _ := call(t, s, "GET", "/repos/acme/config", classic, ""); resp.StatusCode != 200 {
		t.Errorf("after the limit: status %d", resp.StatusCode)
	}
}

func TestAnonymousLimitRunsOut(t *testing.T) {
	s := New(t, Options{Now: testclock.Fixed(testclock.Default())})
	for i := 1; i <= 61; i++ {
		resp, body := call(t, s, "GET", "/user", "", "")
		if i <= 60 && resp.StatusCode != 401 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
		if i == 61 && (resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" ||
			!strings.HasPrefix(message(t, body), "API rate limit exceeded for 127.0.0.1.")) {
			t.Errorf("request 61: %d %q %s", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"), body)
		}
	}
}

func TestSecondaryRateLimit(t *testing.T) {
	for _, tc := range []struct {
		retryAfter int
		status429  bool
		status     int
		header     string
	}{
		{retryAfter: 60, status: 403, header: "60"},
		{retryAfter: 0, status429: true, status: 429, header: "0"},
		{retryAfter: -1, status: 403},
	} {
		t.Run(fmt.Sprint(tc.status, tc.header), func(t *testing.T) {
			s := New(t, options())
			s.SecondaryRateLimit(1, tc.retryAfter, tc.status429)
			resp, body := call(t, s, "GET", "/user", classic, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			ra, ok := resp.Header["Retry-After"]
			if (tc.header == "") == ok || (ok && ra[0] != tc.header) {
				t.Errorf("Retry-After %v, want %q", ra, tc.header)
			}
			// go-github v60 CheckResponse: a 403 whose documentation_url ends in
			// "secondary-rate-limits", with remaining > 0, is an *AbuseRateLimitError.
			if resp.Header.Get("X-RateLimit-Remaining") == "0" || !strings.Contains(body, `secondary-rate-limits"`) {
				t.Errorf("remaining %q, body %s", resp.Header.Get("X-RateLimit-Remaining"), body)
			}
			if got := message(t, body); got != "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." {
				t.Errorf("message %q", got)
			}
		})
	}
}

func TestFault(t *testing.T) {
	s := New(t, options())
	s.Fault("/repos/", -1, http.StatusBadGateway, http.Header{"X-Extra": {"yes"}}, `{"message":"Server Error"}`)
	s.Fault("/user", 1, http.StatusServiceUnavailable, nil, "")
	for i := 0; i < 3; i++ {
		resp, body := call(t, s, "GET", "/repos/acme/config", classic, "")
		if resp.StatusCode != 502 || resp.Header.Get("X-Extra") != "yes" || body != `{"message":"Server Error"}` {
			t.Errorf("request %d: %d %q %s", i, resp.StatusCode, resp.Header.Get("X-Extra"), body)
		}
		if resp.Header.Get("X-GitHub-Request-Id") == "" {
			t.Error("fault without the common headers")
		}
	}
	if resp, _ := call(t, s, "GET", "/user", classic, ""); resp.StatusCode != 503 {
		t.Errorf("first /user: %d", resp.StatusCode)
	}
	if resp, _ := call(t, s, "GET", "/user", classic, ""); resp.StatusCode != 200 {
		t.Errorf("second /user: %d", resp.StatusCode)
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
	if resp, _ := call(t, s, "GET", "/user", classic, ""); resp.StatusCode != 200 {
		t.Errorf("after the stall: %d", resp.StatusCode)
	}
}

func TestResetConnection(t *testing.T) {
	s := New(t, options())
	call(t, s, "GET", "/user", classic, "") // leaves a keep-alive connection to reuse
	s.ResetConnection(2)
	for _, method := range []string{"GET", "POST"} {
		req, _ := http.NewRequest(method, s.URL()+"repos/acme/config/pulls", strings.NewReader("{}"))
		if resp, err := s.Client().Do(req); err == nil {
			resp.Body.Close()
			t.Errorf("%s: status %d, want a connection error", method, resp.StatusCode)
		}
	}
	if resp, _ := call(t, s, "GET", "/user", classic, ""); resp.StatusCode != 200 {
		t.Errorf("after the resets: %d", resp.StatusCode)
	}
}

func TestCutBody(t *testing.T) {
	s := New(t, options())
	s.CutBody(1)
	req, _ := http.NewRequest("GET", s.URL()+"user", nil)
	req.Header.Set("Authorization", "token "+classic)
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
}

func TestEnterprise(t *testing.T) {
	o := options()
	o.Enterprise = true
	s := New(t, o)
	if !strings.HasSuffix(s.URL(), "/api/v3/") {
		t.Fatalf("URL %s", s.URL())
	}
	resp, _ := call(t, s, "GET", "/user", classic, "")
	if resp.StatusCode != 200 || resp.Header.Get("X-GitHub-Enterprise-Version") == "" {
		t.Errorf("GET /api/v3/user: %d, enterprise version %q", resp.StatusCode, resp.Header.Get("X-GitHub-Enterprise-Version"))
	}
	s.Fault("/repos/acme", 1, 500, nil, "{}")
	if resp, _ := call(t, s, "GET", "/repos/acme/config", classic, ""); resp.StatusCode != 500 {
		t.Errorf("fault prefix without /api/v3: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", strings.TrimSuffix(s.URL(), "api/v3/")+"user", nil)
	req.Header.Set("Authorization", "token "+classic)
	if resp, err := s.Client().Do(req); err != nil || resp.StatusCode != 404 {
		t.Errorf("GET /user without the prefix: %v %v", resp.StatusCode, err)
	}
	log := s.Requests()
	if len(log) != 3 || log[0].Path != "/user" || log[1].Path != "/repos/acme/config" {
		t.Errorf("logged %+v", log)
	}
}

func TestRequestLog(t *testing.T) {
	s := New(t, options())
	call(t, s, "GET", "/user", classic, "")
	call(t, s, "PUT", "/repos/acme/config/contents/x.yaml", fine, `{"message":"m"}`)
	log := s.Requests()
	if len(log) != 2 {
		t.Fatalf("%d requests logged", len(log))
	}
	if log[0].Method != "GET" || log[0].Path != "/user" || log[0].Header.Get("Authorization") != "Bearer "+classic {
		t.Errorf("first %+v", log[0])
	}
	if log[1].Method != "PUT" || log[1].Path != "/repos/acme/config/contents/x.yaml" || log[1].Body != `{"message":"m"}` {
		t.Errorf("second %+v", log[1])
	}
	log[0].Header.Set("Authorization", "changed")
	if s.Requests()[0].Header.Get("Authorization") == "changed" {
		t.Error("Requests hands out the log's own headers")
	}
}

func TestConcurrentUse(t *testing.T) {
	s := New(t, options())
	const n = 40
	var wg sync.WaitGroup
	remaining := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%10 == 0 {
				s.Fault("/nowhere", 1, 500, nil, "")
				_ = s.Requests()
			}
			req, _ := http.NewRequest("GET", s.URL()+"repos/acme/config", nil)
			req.Header.Set("Authorization", "token "+classic)
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			remaining <- resp.Header.Get("X-RateLimit-Remaining")
		}()
	}
	wg.Wait()
	close(remaining)
	seen := map[string]bool{}
	for r := range remaining {
		if seen[r] {
			t.Errorf("remaining %s seen twice", r)
		}
		seen[r] = true
	}
	if got := len(s.Requests()); got != n {
		t.Errorf("%d requests logged, want %d", got, n)
	}
}
