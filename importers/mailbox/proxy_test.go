package mailbox_test

import (
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// cuttingProxy is a TCP proxy between a client and an IMAP server that breaks every connection after
// the server has sent a given number of bytes through it: a line that drops in the middle of a FETCH.
type cuttingProxy struct {
	ln       net.Listener
	target   string
	cutAfter int64 // server-to-client bytes per connection; 0 never cuts

	cuts atomic.Int32 // connections cut so far
	wg   sync.WaitGroup
	mu   sync.Mutex
	open map[net.Conn]bool
}

// startCuttingProxy listens on a loopback port and forwards to target until the test ends.
func startCuttingProxy(t testing.TB, target string, cutAfter int64) *cuttingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttingProxy{ln: ln, target: target, cutAfter: cutAfter, open: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// Port is the port clients connect to.
func (p *cuttingProxy) Port() int {
	_, port, _ := net.SplitHostPort(p.ln.Addr().String())
	n, _ := strconv.Atoi(port)
	return n
}

func (p *cuttingProxy) serve() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.track(client, server)
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			io.Copy(server, client)
			server.(*net.TCPConn).CloseWrite()
		}()
		go func() {
			defer p.wg.Done()
			if p.cutAfter <= 0 {
				io.Copy(client, server)
				client.(*net.TCPConn).CloseWrite()
				return
			}
			_, err := io.CopyN(client, server, p.cutAfter)
			if err == nil {
				// The budget is spent: the line drops, both ways, mid-response.
				p.cuts.Add(1)
			} else if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				p.cuts.Add(1)
			}
			p.drop(client, server)
		}()
	}
}

func (p *cuttingProxy) track(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		p.open[c] = true
	}
}

func (p *cuttingProxy) drop(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.open, c)
	}
}

func (p *cuttingProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
