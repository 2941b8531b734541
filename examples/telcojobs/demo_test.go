package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

func TestDemoPasses(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run([]string{"demo", "--testdata", testdata()}, &stdout, &stderr)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	require.Contains(t, stdout.String(), "Demo completada")
	require.NotContains(t, stdout.String(), "✘")
	for _, wrong := range []string{" 1 direcciones", " 1 no válidos", " 1 duplicados", " 1 páginas", "(s)", "\n  recipient="} {
		require.NotContains(t, stdout.String(), wrong)
	}
}

func TestPluralSpanish(t *testing.T) {
	t.Parallel()
	require.Equal(t, "0 páginas", plural(0, "página", "páginas"))
	require.Equal(t, "1 dirección desconocida", plural(1, "dirección desconocida", "direcciones desconocidas"))
	require.Equal(t, "2 segmentos", plural(2, "segmento", "segmentos"))
}

func TestDemoWithoutTestdataExitsTwo(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run([]string{"demo", "--testdata", t.TempDir()}, &stdout, &stderr)
	require.Equal(t, 2, code)
	require.Contains(t, stderr.String(), "sample files are missing")
}

// findChromium returns the path of a Chromium binary. Under CI it must be
// installed (scripts/test.sh installs it); elsewhere the test skips.
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is not installed; under CI scripts/test.sh installs Debian's chromium package")
	}
	t.Skip("Chromium not installed: apt-get install chromium, or run make test")
	return ""
}

func TestDashboardScreenshot(t *testing.T) {
	t.Parallel()
	chromium := findChromium(t)

	e := setup(t)
	cfg := Config{DB: e.args[1], Blob: e.args[3], TimeZone: "Europe/Madrid", EsimThreshold: 100}
	logger, err := newLogger(os.Stderr, "error")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := openApp(ctx, cfg, logger, Dependencies{})
	require.NoError(t, err)
	defer app.Close()

	// Queued jobs give the page something to list.
	for _, days := range []int{60, 90} {
		_, err := app.Engine.Enqueue(ctx, usecases.DeleteUsedIccsInput{DaysOld: days}, ports.EnqueueOptions{})
		require.NoError(t, err)
	}

	handler, err := app.Engine.Dashboard("")
	require.NoError(t, err)
	require.NoError(t, handler.Start(ctx))
	srv := httptest.NewServer(handler)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	shot := filepath.Join(t.TempDir(), "dashboard.png")
	runCtx, stop := context.WithTimeout(ctx, 90*time.Second)
	defer stop()
	cmd := exec.CommandContext(runCtx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--window-size=1280,800", "--virtual-time-budget=5000",
		"--screenshot="+shot, srv.URL+"/jobs?state=available")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "chromium: %s", out)

	st, err := os.Stat(shot)
	require.NoError(t, err)
	require.Greater(t, st.Size(), int64(10_000), "the screenshot shows a rendered page, not a blank one")

	// The job-list API that the page calls lists the queued jobs.
	resp, err = http.Get(srv.URL + "/api/jobs?state=available")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "delete_used_iccs")

	if dir := os.Getenv("TELCOJOBS_SCREENSHOT_DIR"); dir != "" {
		b, err := os.ReadFile(shot)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "dashboard.png"), b, 0o644))
	}
}
