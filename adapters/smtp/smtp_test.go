package smtp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/smtp"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

func setup(t *testing.T, srv *testServer, cfg smtp.Config) *smtp.Mailer {
	t.Helper()
	cfg.Host = "127.0.0.1"
	cfg.Port = srv.Port
	if cfg.TLSMode == "" {
		cfg.TLSMode = smtp.TLSNone
	}
	if srv.RootCAs != nil {
		cfg.TLSConfig = &tls.Config{RootCAs: srv.RootCAs, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	}
	if cfg.From == "" {
		cfg.From = "telcojobs@telco.example"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	m, err := smtp.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func message(to string) ports.MailMessage {
	return ports.MailMessage{
		MessageID: "<notification-7.telcojobs@telco.example>",
		From:      "Operaciones <ops@telco.example>",
		To:        []string{to},
		Subject:   "Informe diario de validaciones",
		Text:      "Hola:\nAdjuntamos el informe.\n",
		HTML:      "<p>Hola</p>",
		Attachments: []domain.Attachment{{
			Filename: "validaciones.csv", ContentType: "text/csv; charset=utf-8",
			Content: []byte("\xEF\xBB\xBFICC;MSISDN\r\n8934;600\r\n"),
		}},
	}
}

// attachment returns the decoded bytes of the named attachment of a
// received message.
func attachment(t *testing.T, data []byte, filename string) []byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err)
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := r.NextPart()
		require.NoError(t, err, "attachment %q not found", filename)
		if part.FileName() != filename {
			continue
		}
		raw, err := io.ReadAll(part)
		require.NoError(t, err)
		require.Equal(t, "base64", strings.ToLower(part.Header.Get("Content-Transfer-Encoding")))
		decoded, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.ReplaceAll(string(raw), "\r\n", ""), "\n", ""))
		require.NoError(t, err)
		return decoded
	}
}

func TestSendMailDelivers(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, serverOptions{})
	m := setup(t, srv, smtp.Config{})

	require.NoError(t, m.SendMail(context.Background(), message("ana@telco.example")))

	got := srv.Messages()
	require.Len(t, got, 1)
	require.Equal(t, "ops@telco.example", got[0].From)
	require.Equal(t, []string{"ana@telco.example"}, got[0].To)

	msg, err := mail.ReadMessage(bytes.NewReader(got[0].Data))
	require.NoError(t, err)
	require.Equal(t, "<notification-7.telcojobs@telco.example>", msg.Header.Get("Message-Id"))
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, "Informe diario de validaciones", subject)
	require.Contains(t, string(got[0].Data), "text/html")
	require.Equal(t, message("").Attachments[0].Content, attachment(t, got[0].Data, "validaciones.csv"),
		"the attachment arrives byte for byte")
}

func TestSendMailDefaultFrom(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, serverOptions{})
	m := setup(t, srv, smtp.Config{From: "avisos@telco.example"})
	msg := message("ana@telco.example")
	msg.From = ""

	require.NoError(t, m.SendMail(context.Background(), msg))
	require.Equal(t, "avisos@telco.example", srv.Messages()[0].From)
}

func TestSendMailTLSModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mode smtp.TLSMode
		tls  string
	}{
		{"StartTLS", smtp.TLSStartTLS, "starttls"},
		{"ImplicitTLS", smtp.TLSImplicit, "tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, serverOptions{tls: tt.tls, username: "jobs", password: "s3cret"})
			m := setup(t, srv, smtp.Config{TLSMode: tt.mode, Username: "jobs", Password: "s3cret"})

			require.NoError(t, m.SendMail(context.Background(), message("ana@telco.example")))
			require.Len(t, srv.Messages(), 1)
		})
	}
}

func TestSendMailStartTLSRequired(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, serverOptions{})
	m := setup(t, srv, smtp.Config{TLSMode: smtp.TLSStartTLS})

	err := m.SendMail(context.Background(), message("ana@telco.example"))
	require.Error(t, err, "a server without STARTTLS is not used in clear text")
	require.Empty(t, srv.Messages())
}

func TestSendMailClassifiesFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		rcptCode  int32
		dataCode  int32
		to        string
		password  string
		permanent bool
		contains  string
	}{
		{"Rcpt451Transient", 451, 0, "ana@telco.example", "", false, "451"},
		{"Rcpt550Permanent", 550, 0, "ana@telco.example", "", true, "550"},
		{"Data452Transient", 0, 452, "ana@telco.example", "", false, "452"},
		{"Data554Permanent", 0, 554, "ana@telco.example", "", true, "554"},
		{"InvalidAddressPermanent", 0, 0, "not an address", "", true, "invalid To address"},
		{"WrongPasswordPermanent", 0, 0, "ana@telco.example", "wrong", true, "535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := serverOptions{}
			cfg := smtp.Config{}
			if tt.password != "" {
				opts = serverOptions{username: "jobs", password: "s3cret"}
				cfg = smtp.Config{Username: "jobs", Password: tt.password}
			}
			srv := newTestServer(t, opts)
			srv.RcptCode.Store(tt.rcptCode)
			srv.DataCode.Store(tt.dataCode)
			m := setup(t, srv, cfg)

			err := m.SendMail(context.Background(), message(tt.to))
			require.Error(t, err)
			require.Equal(t, tt.permanent, domain.IsPermanent(err), "%v", err)
			require.Contains(t, err.Error(), tt.contains)
			require.Empty(t, srv.Messages())
		})
	}
}

func TestSendMailNetworkFailuresTransient(t *testing.T) {
	t.Parallel()

	t.Run("ConnectionRefused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := ln.Addr().(*net.TCPAddr).Port
		require.NoError(t, ln.Close())

		m, err := smtp.New(smtp.Config{Host: "127.0.0.1", Port: port, TLSMode: smtp.TLSNone, From: "a@telco.example", Timeout: time.Second})
		require.NoError(t, err)
		err = m.SendMail(context.Background(), message("ana@telco.example"))
		require.Error(t, err)
		require.False(t, domain.IsPermanent(err), "%v", err)
	})

	t.Run("Timeout", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, serverOptions{})
		srv.Delay.Store(int64(2 * time.Second))
		m := setup(t, srv, smtp.Config{Timeout: 300 * time.Millisecond})

		start := time.Now()
		err := m.SendMail(context.Background(), message("ana@telco.example"))
		require.Error(t, err)
		require.False(t, domain.IsPermanent(err), "%v", err)
		require.Less(t, time.Since(start), 1500*time.Millisecond)
	})

	t.Run("ContextCancelled", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, serverOptions{})
		srv.Delay.Store(int64(2 * time.Second))
		m := setup(t, srv, smtp.Config{})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()

		start := time.Now()
		err := m.SendMail(ctx, message("ana@telco.example"))
		require.Error(t, err)
		require.False(t, domain.IsPermanent(err), "%v", err)
		require.Less(t, time.Since(start), 1500*time.Millisecond)
	})
}

func TestSendMailReusesConnection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		disable  bool
		sessions int
	}{
		{"Reuse", false, 1},
		{"OnePerMessage", true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, serverOptions{})
			m := setup(t, srv, smtp.Config{DisableReuse: tt.disable})
			for range 3 {
				require.NoError(t, m.SendMail(context.Background(), message("ana@telco.example")))
			}
			require.Len(t, srv.Messages(), 3)
			require.Equal(t, tt.sessions, srv.Sessions())
		})
	}
}

func TestSendMailNewConnectionAfterFailure(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, serverOptions{})
	m := setup(t, srv, smtp.Config{})
	srv.DataCode.Store(451)
	require.Error(t, m.SendMail(context.Background(), message("ana@telco.example")))

	srv.DataCode.Store(0)
	require.NoError(t, m.SendMail(context.Background(), message("ana@telco.example")))
	require.Len(t, srv.Messages(), 1)
	require.Equal(t, 2, srv.Sessions(), "a connection that failed is not reused")
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   smtp.Config
		field string
	}{
		{"Host", smtp.Config{From: "a@b.es"}, "Host"},
		{"From", smtp.Config{Host: "mx"}, "From"},
		{"TLSMode", smtp.Config{Host: "mx", From: "a@b.es", TLSMode: "ssl"}, "TLSMode"},
		{"Port", smtp.Config{Host: "mx", From: "a@b.es", Port: 70000}, "Port"},
		{"Password", smtp.Config{Host: "mx", From: "a@b.es", Password: "x"}, "Username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := smtp.New(tt.cfg)
			require.ErrorContains(t, err, tt.field)
		})
	}
	require.Equal(t, 465, smtp.Config{TLSMode: smtp.TLSImplicit}.WithDefaults().Port)
	require.Equal(t, 587, smtp.Config{}.WithDefaults().Port)
}
