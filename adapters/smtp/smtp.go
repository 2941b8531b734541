// Package smtp sends e-mail through an SMTP server with go-mail
// (github.com/wneessen/go-mail). It supports plain connections, STARTTLS
// and implicit TLS, optional authentication, and reuses a connection
// across messages while the server keeps it open.
//
// Failures are classified for the retry policy of the send jobs. A 5xx
// reply, an address that cannot be parsed and a message the server cannot
// carry are wrapped with domain.Permanent. A 4xx reply, a network error and
// a timeout are transient.
package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	mail "github.com/wneessen/go-mail"
	mailsmtp "github.com/wneessen/go-mail/smtp"
)

// ProviderSet builds a Mailer from a Config.
var ProviderSet = wire.NewSet(New, wire.Bind(new(ports.Mailer), new(*Mailer)))

var _ ports.Mailer = (*Mailer)(nil)

// TLSMode is the encryption of the connection to the server.
type TLSMode string

// TLS modes.
const (
	// TLSNone sends in clear text. For a relay on the same host or a test
	// server only.
	TLSNone TLSMode = "none"
	// TLSStartTLS connects in clear text and requires the STARTTLS upgrade
	// before anything else is sent.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit opens a TLS connection from the first byte (SMTPS).
	TLSImplicit TLSMode = "tls"
)

// Config configures the mailer.
type Config struct {
	// Host is the SMTP server's host name or address. Required.
	Host string
	// Port is the server's port. Default 25 for TLSNone, 587 for
	// TLSStartTLS and 465 for TLSImplicit.
	Port int
	// TLSMode is "none", "starttls" or "tls". Default "starttls".
	TLSMode TLSMode
	// TLSConfig overrides the TLS settings, for example to trust a private
	// certificate authority. Default: the system roots, with Host as the
	// server name.
	TLSConfig *tls.Config
	// Username enables authentication (PLAIN, or LOGIN when the server
	// offers only that). Empty means no authentication. Default empty.
	Username string
	// Password goes with Username. It is never logged.
	Password string
	// From is the sender address of messages that do not set one.
	// Required.
	From string
	// HELO is the name sent in EHLO. Default: the machine's host name.
	HELO string
	// Timeout bounds the connection and each SMTP command. Default 30s.
	Timeout time.Duration
	// DisableReuse opens one connection per message and closes it after.
	// By default a connection that sent a message is kept open and used
	// for the next one; it is checked with NOOP first. Default false.
	DisableReuse bool
	// MaxIdleConns caps the connections kept open between messages.
	// Default 2.
	MaxIdleConns int
	// IdleTimeout closes a kept connection that has not been used for that
	// long, before the server drops it. Default 30s.
	IdleTimeout time.Duration
	// Logger receives connection errors. Default: discard.
	Logger *slog.Logger
}

// WithDefaults returns a copy with the defaults filled in.
func (c Config) WithDefaults() Config {
	if c.TLSMode == "" {
		c.TLSMode = TLSStartTLS
	}
	if c.Port == 0 {
		switch c.TLSMode {
		case TLSNone:
			c.Port = 25
		case TLSImplicit:
			c.Port = 465
		default:
			c.Port = 587
		}
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.MaxIdleConns == 0 {
		c.MaxIdleConns = 2
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case strings.TrimSpace(c.Host) == "":
		return errors.New("smtp config: Host is required, for example smtp.example.com")
	case c.Port <= 0 || c.Port > 65535:
		return fmt.Errorf("smtp config: Port %d must be between 1 and 65535", c.Port)
	case c.TLSMode != TLSNone && c.TLSMode != TLSStartTLS && c.TLSMode != TLSImplicit:
		return fmt.Errorf("smtp config: TLSMode %q must be none, starttls or tls", c.TLSMode)
	case c.Password != "" && c.Username == "":
		return errors.New("smtp config: Password is set but Username is empty")
	case c.Timeout < 0:
		return fmt.Errorf("smtp config: Timeout %s must not be negative", c.Timeout)
	case c.MaxIdleConns < 0:
		return fmt.Errorf("smtp config: MaxIdleConns %d must not be negative", c.MaxIdleConns)
	case c.IdleTimeout < 0:
		return fmt.Errorf("smtp config: IdleTimeout %s must not be negative", c.IdleTimeout)
	}
	if _, err := domain.NormalizeEmail(c.From); err != nil {
		return fmt.Errorf("smtp config: From: %w", err)
	}
	return nil
}

// Mailer implements ports.Mailer. It is safe for concurrent use: each
// message goes over a connection of its own, taken from the idle ones or
// newly dialled.
type Mailer struct {
	cfg    Config
	client *mail.Client
	logger *slog.Logger

	mu     sync.Mutex
	idle   []idleConn
	closed bool
}

// conn is one SMTP connection with the network connection under it, which
// the mailer needs to interrupt a command when the context ends: go-mail's
// own Close waits for the command in progress.
type conn struct {
	smtp *mailsmtp.Client
	raw  net.Conn
}

type idleConn struct {
	conn
	since time.Time
}

// rawConnKey carries a *net.Conn slot from SendMail into the dial function.
type rawConnKey struct{}

// New builds a Mailer. It does not connect until the first message.
func New(cfg Config) (*Mailer, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}

	tlsConfig := cfg.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(cfg.Timeout),
		mail.WithDialContextFunc(dialer(cfg, tlsConfig))}
	switch cfg.TLSMode {
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(tlsConfig))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(tlsConfig))
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(authMechanism(cfg.TLSMode)),
			mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	if cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(cfg.HELO))
	}

	client, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return &Mailer{cfg: cfg, client: client, logger: cfg.Logger}, nil
}

// dialer opens the TCP connection, records it in the slot that the context
// carries, and for implicit TLS does the handshake, which go-mail leaves to
// a custom dial function.
func dialer(cfg Config, tlsConfig *tls.Config) mail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: cfg.Timeout}
		raw, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if slot, ok := ctx.Value(rawConnKey{}).(*net.Conn); ok {
			*slot = raw
		}
		if cfg.TLSMode != TLSImplicit {
			return raw, nil
		}
		tc := tls.Client(raw, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = raw.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		return tc, nil
	}
}

// authMechanism picks PLAIN on an encrypted connection. On a clear-text
// one the mechanism that allows it is needed, because go-mail refuses to
// send a password in clear text otherwise.
func authMechanism(mode TLSMode) mail.SMTPAuthType {
	if mode == TLSNone {
		return mail.SMTPAuthPlainNoEnc
	}
	return mail.SMTPAuthPlain
}

// SendMail implements ports.Mailer.
func (m *Mailer) SendMail(ctx context.Context, msg ports.MailMessage) error {
	built, err := m.build(msg)
	if err != nil {
		return domain.Permanent(err)
	}

	c, reused, err := m.conn(ctx)
	if err != nil {
		return classify(fmt.Errorf("smtp: connect to %s:%d: %w", m.cfg.Host, m.cfg.Port, err))
	}

	// go-mail does not watch the context once connected, so an expired
	// deadline on the network connection is what stops a send when ctx
	// ends.
	stop := context.AfterFunc(ctx, func() { _ = c.raw.SetDeadline(time.Now()) })
	err = m.client.SendWithSMTPClient(c.smtp, built)
	interrupted := !stop()

	if err != nil || interrupted {
		_ = c.raw.Close()
		if err == nil {
			err = ctx.Err()
		}
		m.logger.WarnContext(ctx, "smtp send failed", "message_id", msg.MessageID, "reused_connection", reused, "error", err)
		return classify(fmt.Errorf("smtp: send %s: %w", msg.MessageID, err))
	}
	m.release(c)
	return nil
}

// build turns the port's message into a go-mail message. Its errors are
// all permanent: the same message would fail again.
func (m *Mailer) build(msg ports.MailMessage) (*mail.Msg, error) {
	if len(msg.To) == 0 {
		return nil, errors.New("smtp: message has no recipient")
	}

	built := mail.NewMsg()
	from := msg.From
	if from == "" {
		from = m.cfg.From
	}
	if err := built.From(from); err != nil {
		return nil, fmt.Errorf("smtp: invalid From address %q: %w", from, err)
	}
	if err := built.To(msg.To...); err != nil {
		return nil, fmt.Errorf("smtp: invalid To address %q: %w", strings.Join(msg.To, ", "), err)
	}

	if msg.MessageID != "" {
		built.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(msg.MessageID, "<"), ">"))
	}
	built.SetDate()
	built.Subject(msg.Subject)

	built.SetBodyString(mail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		built.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	}

	for _, a := range msg.Attachments {
		opts := []mail.FileOption{}
		if a.ContentType != "" {
			opts = append(opts, mail.WithFileContentType(mail.ContentType(a.ContentType)))
		}
		if err := built.AttachReader(a.Filename, bytes.NewReader(a.Content), opts...); err != nil {
			return nil, fmt.Errorf("smtp: attach %q: %w", a.Filename, err)
		}
	}
	return built, nil
}

// conn returns an idle connection that has not timed out, or dials one.
func (m *Mailer) conn(ctx context.Context) (conn, bool, error) {
	now := time.Now()
	m.mu.Lock()
	for len(m.idle) > 0 {
		last := m.idle[len(m.idle)-1]
		m.idle = m.idle[:len(m.idle)-1]
		if now.Sub(last.since) < m.cfg.IdleTimeout && last.smtp.HasConnection() {
			m.mu.Unlock()
			return last.conn, true, nil
		}
		_ = last.raw.Close()
	}
	m.mu.Unlock()

	var raw net.Conn
	client, err := m.client.DialToSMTPClientWithContext(context.WithValue(ctx, rawConnKey{}, &raw))
	if err != nil {
		if raw != nil {
			_ = raw.Close()
		}
		return conn{}, false, err
	}
	return conn{smtp: client, raw: raw}, false, nil
}

// release keeps the connection for the next message, or closes it.
func (m *Mailer) release(c conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cfg.DisableReuse || m.closed || len(m.idle) >= m.cfg.MaxIdleConns {
		_ = m.client.CloseWithSMTPClient(c.smtp)
		_ = c.raw.Close()
		return
	}
	m.idle = append(m.idle, idleConn{conn: c, since: time.Now()})
}

// Close sends QUIT on the idle connections and closes them. Messages sent
// after Close use a connection each.
func (m *Mailer) Close() error {
	m.mu.Lock()
	idle := m.idle
	m.idle = nil
	m.closed = true
	m.mu.Unlock()

	var errs []error
	for _, c := range idle {
		if err := m.client.CloseWithSMTPClient(c.smtp); err != nil {
			errs = append(errs, err)
		}
		_ = c.raw.Close()
	}
	return errors.Join(errs...)
}

// classify wraps err with domain.Permanent when retrying cannot help: a 5xx
// reply, or an address or message go-mail could not hand to the server.
func classify(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) {
		switch {
		case se.ErrorCode() >= 500:
			return domain.Permanent(err)
		case se.ErrorCode() >= 400:
			return err
		case se.Reason == mail.ErrGetSender || se.Reason == mail.ErrGetRcpts || se.Reason == mail.ErrNoUnencoded:
			return domain.Permanent(err)
		}
		return err
	}

	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return domain.Permanent(err)
	}
	return err
}
