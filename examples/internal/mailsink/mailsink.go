// Package mailsink is a small SMTP server that accepts every message and
// keeps it in memory, for the demo of the telcojobs command. It listens on
// 127.0.0.1 only, without TLS or authentication.
package mailsink

import (
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one received e-mail.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server is a running SMTP sink.
type Server struct {
	srv      *smtp.Server
	listener net.Listener
	done     chan struct{}

	mu       sync.Mutex
	messages []Message
}

// Start listens on a free port of 127.0.0.1 and serves until Close.
func Start() (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mail sink: listen on 127.0.0.1: %w", err)
	}
	s := &Server{listener: l, done: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 50 << 20

	go func() {
		defer close(s.done)
		// Serve returns an error once Close shuts the listener; nothing
		// else can stop it.
		_ = s.srv.Serve(l)
	}()
	return s, nil
}

// Addr returns the host:port the server listens on.
func (s *Server) Addr() *net.TCPAddr { return s.listener.Addr().(*net.TCPAddr) }

// Messages returns a copy of the received messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Close stops the server.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

type session struct {
	server *Server
	from   string
	to     []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.messages = append(s.server.messages, Message{From: s.from, To: append([]string(nil), s.to...), Data: b})
	return nil
}
