package monitoring

import (
	"bufio"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// mailMessage is one message the loopback SMTP sink accepted.
type mailMessage struct {
	Auth     string // the decoded AUTH PLAIN response: authzid NUL user NUL password
	From, To string
	Data     string
}

// smtpSink is the smallest SMTP server Alertmanager's e-mail notifier completes a delivery with
// (RFC 5321 greeting, EHLO with AUTH PLAIN, MAIL, RCPT, DATA, QUIT), on 127.0.0.1, recording
// every message. No TLS: the test's configuration does not require it.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	msgs []mailMessage
	errs []string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{addr: l.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); s.serve(c) }()
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { c.Write([]byte(line + "\r\n")) }
	var m mailMessage
	say("220 127.0.0.1 ESMTP hub-test")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch {
		case verb == "EHLO" || verb == "HELO":
			say("250-127.0.0.1")
			say("250 AUTH PLAIN")
		case strings.HasPrefix(strings.ToUpper(line), "AUTH PLAIN "):
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line[len("AUTH PLAIN "):]))
			if err != nil {
				s.fail("AUTH: " + err.Error())
				say("501 bad base64")
				continue
			}
			m.Auth = string(b)
			say("235 2.7.0 authenticated")
		case verb == "MAIL":
			m.From = line
			say("250 2.1.0 ok")
		case verb == "RCPT":
			m.To = line
			say("250 2.1.5 ok")
		case verb == "DATA":
			say("354 end with .")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			m.Data = data.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			m = mailMessage{Auth: m.Auth}
			say("250 2.0.0 queued")
		case verb == "RSET" || verb == "NOOP":
			say("250 ok")
		case verb == "QUIT":
			say("221 bye")
			return
		default:
			s.fail("unexpected command " + line)
			say("500 5.5.2 unrecognised command")
		}
	}
}

func (s *smtpSink) fail(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, msg)
}

func (s *smtpSink) messages() ([]mailMessage, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mailMessage(nil), s.msgs...), append([]string(nil), s.errs...)
}
