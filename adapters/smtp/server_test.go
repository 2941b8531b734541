package smtp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// received is one message the test server accepted.
type received struct {
	From string
	To   []string
	Data []byte
}

// testServer is a real SMTP server on 127.0.0.1 (github.com/emersion/go-smtp)
// that records messages and replies with an error code on demand.
type testServer struct {
	Addr string
	Port int
	// RootCAs trusts the server's certificate in TLS modes.
	RootCAs *x509.CertPool

	// RcptCode and DataCode, when not zero, make the server reply to RCPT
	// TO or the end of DATA with that code, such as 451 or 550.
	RcptCode atomic.Int32
	DataCode atomic.Int32
	// Delay holds every reply to DATA for that long.
	Delay atomic.Int64

	auth     *struct{ user, pass string }
	sessions atomic.Int32
	mu       sync.Mutex
	messages []received
}

type serverOptions struct {
	tls      string // "", "starttls" or "tls"
	username string
	password string
}

func newTestServer(t testing.TB, opts serverOptions) *testServer {
	t.Helper()
	ts := &testServer{}

	srv := gosmtp.NewServer(ts)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.AllowInsecureAuth = opts.tls == ""
	if opts.username != "" {
		ts.auth = &struct{ user, pass string }{opts.username, opts.password}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	if opts.tls != "" {
		cert, pool := selfSignedCert(t)
		ts.RootCAs = pool
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if opts.tls == "tls" {
			ln = tls.NewListener(ln, srv.TLSConfig)
		}
	}
	ts.Addr = ln.Addr().String()
	ts.Port = ln.Addr().(*net.TCPAddr).Port

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		// Closing the listener too stops Serve even when Close runs before
		// Serve has registered it.
		_ = srv.Close()
		_ = ln.Close()
		<-done
	})
	return ts
}

// Messages returns a copy of the accepted messages.
func (s *testServer) Messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.messages...)
}

// Sessions returns how many connections the server has accepted.
func (s *testServer) Sessions() int { return int(s.sessions.Load()) }

// NewSession implements gosmtp.Backend.
func (s *testServer) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	s.sessions.Add(1)
	return &session{server: s}, nil
}

type session struct {
	server *testServer
	authed bool
	msg    received
}

func smtpError(code int32) error {
	if code >= 500 {
		return &gosmtp.SMTPError{Code: int(code), EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}
	}
	return &gosmtp.SMTPError{Code: int(code), EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.server.auth != nil && !s.authed {
		return gosmtp.ErrAuthRequired
	}
	s.msg = received{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if code := s.server.RcptCode.Load(); code != 0 {
		return smtpError(code)
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	time.Sleep(time.Duration(s.server.Delay.Load()))
	if code := s.server.DataCode.Load(); code != 0 {
		return smtpError(code)
	}
	s.msg.Data = data
	s.server.mu.Lock()
	s.server.messages = append(s.server.messages, s.msg)
	s.server.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.msg = received{} }
func (s *session) Logout() error { return nil }

func (s *session) AuthMechanisms() []string { return []string{gosasl.Plain} }

func (s *session) Auth(string) (gosasl.Server, error) {
	return gosasl.NewPlainServer(func(_, username, password string) error {
		want := s.server.auth
		if want == nil || username != want.user || password != want.pass {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "Invalid credentials"}
		}
		s.authed = true
		return nil
	}), nil
}

// selfSignedCert makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSignedCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("create certificate: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
