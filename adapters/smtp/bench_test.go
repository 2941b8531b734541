package smtp_test

import (
	"bytes"
	"context"
	"net/mail"
	"testing"
	"time"

	"github.com/telcojobs/telcojobs/adapters/pongo2"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/adapters/river"
	"github.com/telcojobs/telcojobs/adapters/smtp"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// benchMessages is the number of e-mails each configuration sends.
const benchMessages = 5000

// benchWorkers is the number of jobs the engine runs at once, and so of
// SMTP connections open at once.
const benchWorkers = 20

// BenchmarkSendThroughEngine sends benchMessages e-mails through the job
// engine on PostgreSQL to the in-test SMTP server, once with connections
// reused across messages and once with one connection per message, and
// reports both rates and their ratio. Each configuration gets its own
// database. The notifications and their jobs are created before the timer
// starts, so the rate covers claiming, rendering, sending and storing the
// outcome.
func BenchmarkSendThroughEngine(b *testing.B) {
	var reused, perMessage float64
	for range b.N {
		reused += sendThroughEngine(b, false)
		perMessage += sendThroughEngine(b, true)
	}
	n := float64(b.N)
	b.ReportMetric(reused/n, "reused_msgs/s")
	b.ReportMetric(perMessage/n, "per_message_msgs/s")
	b.ReportMetric(reused/perMessage, "ratio")
	b.ReportMetric(0, "ns/op")
}

// sendThroughEngine runs one configuration and returns messages per second.
func sendThroughEngine(b *testing.B, disableReuse bool) float64 {
	b.StopTimer()
	ctx := context.Background()
	store := pgtest.Open(b)
	if err := river.MigratePostgres(ctx, store, nil); err != nil {
		b.Fatalf("migrate job tables: %v", err)
	}
	srv := newTestServer(b, serverOptions{})

	mailer, err := smtp.New(smtp.Config{Host: "127.0.0.1", Port: srv.Port, TLSMode: smtp.TLSNone,
		From: "telcojobs@telco.example", DisableReuse: disableReuse, MaxIdleConns: benchWorkers})
	if err != nil {
		b.Fatal(err)
	}
	defer mailer.Close()
	renderer, err := pongo2.New(pongo2.Config{})
	if err != nil {
		b.Fatal(err)
	}

	queue := river.NewDeferredQueue()
	clock := ports.SystemClock{}
	create, err := usecases.NewCreateNotification(store, store, store, queue, clock, nil)
	if err != nil {
		b.Fatal(err)
	}
	send, err := usecases.NewSendAsyncEmail(usecases.SendConfig{}, store, store, renderer, mailer, clock, nil)
	if err != nil {
		b.Fatal(err)
	}
	engine, err := river.NewPostgres(store, river.Handlers{SendAsyncEmail: send}, river.Config{
		MaxWorkers: benchWorkers, FetchCooldown: 10 * time.Millisecond, FetchPollInterval: 50 * time.Millisecond,
		PeriodicJobs: []river.PeriodicJob{},
	})
	if err != nil {
		b.Fatal(err)
	}
	queue.Set(engine)

	// Create the notifications in batches of 500 per transaction.
	attachment := []domain.Attachment{{Filename: "informe.csv", ContentType: "text/csv", Content: bytes.Repeat([]byte("8934;600111222;ok\r\n"), 50)}}
	for start := 0; start < benchMessages; start += 500 {
		err := store.InTx(ctx, func(ctx context.Context) error {
			for i := start; i < min(start+500, benchMessages); i++ {
				if _, err := create.Handle(ctx, usecases.CreateNotificationInput{
					TemplateName: "esim_low_stock_alert", Recipient: "ops@telco.example",
					Context: map[string]any{"count": i, "threshold": 100}, Attachments: attachment,
				}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("create notifications: %v", err)
		}
	}

	b.StartTimer()
	began := time.Now()
	if err := engine.Start(ctx); err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for len(srv.Messages()) < benchMessages {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d messages arrived in 5 minutes", len(srv.Messages()), benchMessages)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(began)
	b.StopTimer()

	stopCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := engine.Stop(stopCtx); err != nil {
		b.Fatalf("stop engine: %v", err)
	}

	// Every notification arrived exactly once.
	seen := map[string]bool{}
	for _, m := range srv.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			b.Fatal(err)
		}
		id := msg.Header.Get("Message-Id")
		if seen[id] {
			b.Fatalf("message %s arrived twice", id)
		}
		seen[id] = true
	}
	if len(seen) != benchMessages {
		b.Fatalf("%d distinct messages, want %d", len(seen), benchMessages)
	}
	b.Logf("disable_reuse=%v: %d messages in %s over %d SMTP connections", disableReuse, benchMessages,
		elapsed.Round(time.Millisecond), srv.Sessions())
	return benchMessages / elapsed.Seconds()
}
