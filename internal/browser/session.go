package browser

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Bounds of the browser's housekeeping, outside the run's own timeout.
const (
	closeGrace   = 5 * time.Second        // reading the failed page after the run's deadline
	callTimeout  = 3 * time.Second        // one protocol command of the interceptor
	pollInterval = 100 * time.Millisecond // between two looks at the page

	// errorPageSettle is how long the login and consent steps look at an
	// error page (4xx, 5xx) before they give up on it: a script may still
	// build a form on it.
	errorPageSettle = time.Second
)

// session is one Authorize call's browser: its tab, the interceptor that
// watches every top-level navigation, and the hop recorder.
type session struct {
	*run
	parent    context.Context // the caller's
	tmp       string          // the browser's TMPDIR, removed by close
	tab       context.Context // the tab; lives closeGrace past the run's deadline
	runCtx    context.Context // the steps' context; ended with errReached or *errOutside
	endSteps  context.CancelCauseFunc
	mainFrame cdp.FrameID // the tab's top-level frame (its target id)

	cancelSteps, cancelTab, cancelAlloc, cancelBrowser context.CancelFunc
	stopWorker                                         context.CancelFunc // nil until the worker runs
	workerDone                                         chan struct{}

	mu    sync.Mutex
	queue []any         // events from the listener, for the worker
	wake  chan struct{} // a new event is queued
	code  *url.URL      // the redirect, once reached

	docStatus int       // the HTTP status of the last top-level page
	docAt     time.Time // when it came

	pending *Hop // the worker's: a loaded page's hop, waiting for its title
}

// startSession starts Chromium with an empty temporary profile, opens a tab
// and turns on the interception of documents.
func startSession(ctx context.Context, r *run) (*session, error) {
	// The browser's TMPDIR, for what it leaves when killed (its singleton
	// socket's directory). Short: a socket path has at most 107 bytes.
	tmp, err := os.MkdirTemp("", "ocb")
	if err != nil {
		return nil, fmt.Errorf("browser: a temporary directory for chromium: %w", err)
	}
	s := &session{run: r, parent: ctx, tmp: tmp, wake: make(chan struct{}, 1), workerDone: make(chan struct{})}
	browserCtx, cancelBrowser := context.WithTimeout(ctx, r.timeout+closeGrace)
	// The allocator makes and removes the profile directory, and kills what
	// is left of the browser's processes (chromedp's killLeftovers).
	alloc, cancelAlloc := chromedp.NewExecAllocator(browserCtx, allocatorOptions(r, tmp)...)
	tab, cancelTab := chromedp.NewContext(alloc)
	steps, endSteps := context.WithCancelCause(tab)
	steps, cancelSteps := context.WithTimeout(steps, r.timeout)
	s.tab, s.runCtx, s.endSteps = tab, steps, endSteps
	s.cancelSteps, s.cancelTab, s.cancelAlloc, s.cancelBrowser = cancelSteps, cancelTab, cancelAlloc, cancelBrowser
	if err := s.start(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// allocatorOptions are chromedp's defaults plus the flags a CI container
// needs: --headless, --disable-gpu and, as root, --no-sandbox. The browser
// gets only the environment it needs, so the harness's credentials
// (OAUTHCONF_*) never reach it.
func allocatorOptions(r *run, tmp string) []chromedp.ExecAllocatorOption {
	env := []string{"TMPDIR=" + tmp}
	for _, name := range []string{"PATH", "HOME", "LANG", "LC_ALL", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(r.chromium),
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 960),
		chromedp.NoInheritEnv,
		chromedp.Env(env...),
	)
	if r.cfg.NoSandbox || os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	if r.cfg.Visible {
		opts = append(opts, chromedp.VisibleWindow)
	}
	return opts
}

// start starts the browser, the listener and the worker, and enables the
// interception of every document at both stages: requests (to stop the one
// to the redirect URI and those outside the allowed origins) and responses
// (for each hop's status).
func (s *session) start() error {
	// The first Run binds the browser's life to its context: the tab's,
	// which browserCtx bounds.
	if err := chromedp.Do(s.tab); err != nil {
		return s.startError("starting "+s.chromium, err)
	}
	s.mainFrame = cdp.FrameID(chromedp.FromContext(s.tab).Target.TargetID)
	workerCtx, stopWorker := context.WithCancel(s.tab)
	if err := chromedp.Listen(workerCtx, s.listen); err != nil {
		stopWorker()
		return s.startError("listening to the tab", err)
	}
	s.stopWorker = stopWorker
	go s.work(workerCtx)
	ctx, cancel := context.WithTimeout(s.runCtx, callTimeout)
	defer cancel()
	_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageRequest},
		{URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageResponse},
	}})
	if err != nil {
		return s.startError("enabling request interception", err)
	}
	return nil
}

// startError says what failed while the browser started, and whether the
// run's timeout or the caller ended it.
func (s *session) startError(doing string, err error) error {
	switch {
	case s.parent.Err() != nil:
		return fmt.Errorf("browser: %s: stopped: %w", doing, context.Cause(s.parent))
	case s.runCtx.Err() != nil:
		return fmt.Errorf("browser: %s: chromium did not start within the run's timeout (%s): %w", doing, seconds(s.timeout), s.runCtx.Err())
	}
	return fmt.Errorf("browser: %s: %w", doing, err)
}

// close stops the steps and the worker (so onHop is never called after
// Authorize returns), then kills the browser and waits until its processes
// are gone and its profile is removed.
func (s *session) close() {
	s.endSteps(nil)
	s.cancelSteps()
	if s.stopWorker != nil {
		s.stopWorker()
		<-s.workerDone
	}
	s.cancelTab()
	s.cancelAlloc()
	s.cancelBrowser()
	_ = os.RemoveAll(s.tmp) // best effort: the profile itself is chromedp's
}
