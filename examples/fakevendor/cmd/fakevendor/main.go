// Command fakevendor serves the fake Orion catalogue, Telco coverage API and
// SMS gateway on a loopback address until it receives SIGINT or SIGTERM:
//
//	go run ./examples/fakevendor/cmd/fakevendor -addr 127.0.0.1:8090 -data testdata
//
// Point the telcojobs Orion, Telco and SMS base URLs at http://ADDR.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/telcojobs/telcojobs/examples/fakevendor"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "fakevendor:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("fakevendor", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "loopback address and port to listen on")
	data := fs.String("data", "testdata", "folder with orion/devices.json and telco/coverage.json")
	generate := fs.Int("generate", 0, "serve this many generated devices instead of orion/devices.json")
	offers := fs.Int("offers", 5, "offers per generated device")
	pageSize := fs.Int("page-size", 50, "devices per listing page")
	latency := fs.Duration("latency", 0, "delay added to every request, such as 20ms")
	token := fs.String("token", "", "bearer token that requests must carry (default: none required)")
	verbose := fs.Bool("v", false, "log every request")
	if err := fs.Parse(args); err != nil {
		return err
	}

	if err := checkLoopback(*addr); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	opts, err := fakevendor.LoadTestdata(*data)
	if err != nil {
		return err
	}
	if *generate > 0 {
		opts.Devices = fakevendor.GenerateCatalogue(*generate, *offers)
	}
	opts.PageSize, opts.Latency, opts.Token, opts.Logger = *pageSize, *latency, *token, logger
	handler, err := fakevendor.New(opts)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("fake vendor serving", "url", "http://"+ln.Addr().String(), "devices", len(opts.Devices),
		"addresses", len(opts.Coverage), "latency", *latency)

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	logger.Info("fake vendor stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("fake vendor stopped")
	return nil
}

// checkLoopback rejects addresses that would expose the fake beyond this
// machine.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: expected HOST:PORT such as 127.0.0.1:8090", addr)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: the fake vendor listens on loopback addresses only, such as 127.0.0.1:8090", addr)
	}
	return nil
}
