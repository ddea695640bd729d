package reports

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// phoneWidth is a phone's viewport in CSS pixels (an iPhone 12 to 15).
const phoneWidth, phoneHeight = 390, 844

// phoneLayout is what the page measures at a phone's width.
type phoneLayout struct {
	Viewport    int    `json:"viewport"`    // window.innerWidth
	ScrollWidth int    `json:"scrollWidth"` // document.documentElement.scrollWidth: wider than the viewport = a page that scrolls sideways
	Rendered    string `json:"rendered"`    // #render-status
	Header      string `json:"header"`      // #run-header's text
	Verdict     string `json:"verdict"`
}

const phoneLayoutJS = `({
  viewport: window.innerWidth,
  scrollWidth: document.documentElement.scrollWidth,
  rendered: document.getElementById("render-status").textContent,
  header: (document.getElementById("run-header") || {}).innerText || "",
  verdict: document.getElementById("verdict").textContent
})`

// atPhoneWidth loads page in headless chromium emulating a phone (390 px,
// touch, mobile viewport rules), measures it and takes a full-page PNG.
func atPhoneWidth(t *testing.T, bin, page string) (phoneLayout, []byte) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.DisableGPU,
		chromedp.NoSandbox, chromedp.UserDataDir(t.TempDir()))
	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	require.NoError(t, chromedp.Do(bctx,
		chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate("file://"+page)))
	m, err := chromedp.Run(bctx, chromedp.Evaluate[phoneLayout](phoneLayoutJS))
	require.NoError(t, err, "measuring the page")
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err, "screenshot")
	return m, png
}

// TestReportAtPhoneWidth: the report fits a 390 px phone (no sideways scroll
// of the page: wide tables scroll inside their box) and its header names the
// run. The screenshots stay in the artifacts directory.
func TestReportAtPhoneWidth(t *testing.T) {
	bin := findChromium(t)
	art := artifactsDir(t)
	cases := []struct {
		description string
		dir, name   string
		edit        func(string) string
		fits        bool
		header      []string
		keep        bool // the screenshot is kept as testdata/screenshots/<name>.png (-update rewrites it)
	}{
		{"a run with a label, root causes and a capacity search fits a phone", "testdata/outcomes", "report-outcomes-390px", nil, true,
			[]string{"nightly #412", "2026-11-22 23:00:00 UTC", "oauthconf v1.4.0", "http://127.0.0.1:8080", "shopware, ucommerce", "6.5s"}, true},
		{"a run with load plots and wide step tables fits a phone", "testdata/run", "report-run-390px", nil, true,
			[]string{"2026-11-22 23:00:00 UTC", "rfc6749, shopware, ucommerce"}, false},
		{"a run with expected failures and their wide table fits a phone", "testdata/expected", "report-expected-390px", nil, true,
			[]string{"nightly #413", "2026-11-22 23:00:00 UTC", "oauthconf v1.4.0", "shopware", "1.5s"}, false},
		{
			// The check must be able to fail: a fixed-width block overflows.
			description: "a page wider than the phone is caught", dir: "testdata/outcomes", name: "report-too-wide-390px",
			edit: func(s string) string {
				return strings.Replace(s, "</header>", `<div style="width:1000px">wide</div></header>`, 1)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			page := filepath.Join(art, tc.name+".html")
			writePage(t, tc.dir, page, tc.edit)
			m, png := atPhoneWidth(t, bin, page)
			shot := filepath.Join(art, tc.name+".png")
			require.NoError(t, os.WriteFile(shot, png, 0o644))
			t.Logf("screenshot: %s", shot)
			assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "the screenshot is not a PNG")
			assert.Equal(t, "rendered-ok", m.Rendered, "the page's script did not finish")
			// A mobile browser zooms a page wider than the phone out: its
			// layout viewport grows past 390 px, or the page scrolls sideways.
			fits := m.Viewport == phoneWidth && m.ScrollWidth <= phoneWidth
			if !tc.fits {
				assert.False(t, fits, "the too-wide page was not caught: %+v", m)
				return
			}
			assert.True(t, fits, "the page does not fit a %d px phone (layout viewport %d px, content %d px wide)", phoneWidth, m.Viewport, m.ScrollWidth)
			assert.Greater(t, len(png), 20_000, "the screenshot is suspiciously small (blank page?)")
			assert.Equal(t, "FAIL", m.Verdict)
			for _, w := range tc.header {
				assert.Contains(t, m.Header, w, "the header")
			}
			if tc.keep {
				checkKeptScreenshot(t, filepath.Join("testdata", "screenshots", tc.name+".png"), png)
			}
		})
	}
}

// checkKeptScreenshot keeps the first screen of the phone screenshot under
// testdata (with -update it writes it there: the header, the verdict and
// what follows, as a phone shows them): the kept one must be a PNG of a
// 390 px phone at scale 2, as wide as this run's.
func checkKeptScreenshot(t *testing.T, kept string, fresh []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(fresh))
	require.NoError(t, err)
	if *update {
		b := img.Bounds()
		b.Max.Y = min(b.Max.Y, b.Min.Y+2*phoneHeight)
		sub, ok := img.(interface {
			SubImage(image.Rectangle) image.Image
		})
		require.True(t, ok, "the screenshot cannot be cropped")
		var out bytes.Buffer
		require.NoError(t, png.Encode(&out, sub.SubImage(b)))
		require.NoError(t, os.MkdirAll(filepath.Dir(kept), 0o755))
		require.NoError(t, os.WriteFile(kept, out.Bytes(), 0o644))
	}
	old, err := os.ReadFile(kept)
	require.NoError(t, err, "the kept screenshot is missing: go test ./reports -run TestReportAtPhoneWidth -update writes it")
	cfg, err := png.DecodeConfig(bytes.NewReader(old))
	require.NoError(t, err, "the kept screenshot %s is not a PNG", kept)
	assert.Equal(t, 2*phoneWidth, cfg.Width, "the kept screenshot %s is not a 390 px phone's (scale 2)", kept)
	assert.Equal(t, img.Bounds().Dx(), cfg.Width, "this run's screenshot and the kept one differ in width")
	assert.Equal(t, 2*phoneHeight, cfg.Height, "the kept screenshot is the first screen of a %d px high phone", phoneHeight)
}
