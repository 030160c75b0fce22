// Package dovecottest runs a throwaway Dovecot IMAP server on a loopback port and fills its mailboxes:
// the real server behind the integration tests of importers/mailbox and behind the mail benchmark
// (bench/mail.sh). It is test tooling, not part of the application.
//
// The server is Debian 12's Dovecot 2.3 started in the foreground (`dovecot -F -c <config>`) from the
// template testdata/dovecot/dovecot.conf, with its own run directory and port, so it never touches a
// system instance. It works as root (the mail user is uid 65534, as Dovecot refuses to serve mail as
// root) and as an ordinary user (everything runs as that user).
//
// Mail is put straight into the user's Maildir, which is how thousands of messages arrive in a
// second; IMAP APPEND through Dial is there for the cases that need the server to see mail arrive.
package dovecottest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// The mail user every server has. The password is no secret: the server listens on loopback only and
// lives as long as one test.
const (
	User     = "alice"
	Password = "secret-for-tests"
)

// rootMailUID is the uid mail is kept under when the tests run as root: Dovecot will not serve mail as
// root, and 65534 (nobody) exists on every Debian system.
const rootMailUID = 65534

// Installed says whether Dovecot is installed, and if not, what to install.
func Installed() error {
	_, err := binary()
	return err
}

// binary finds the dovecot program: on PATH, or in /usr/sbin, which an ordinary user's PATH on Debian
// leaves out.
func binary() (string, error) {
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
}

// Server is one running Dovecot.
type Server struct {
	Host string // always 127.0.0.1
	Port int
	Dir  string // the config, the users file, the run directory, the log and the user's home
	// Config is the filled-in configuration, for `doveadm -c`.
	Config string

	mailUID, mailGID int // owner of mail files when running as root; -1 otherwise
	cmd              *exec.Cmd
	exited           chan struct{}
	exitErr          error

	mu        sync.Mutex
	delivered int // names Maildir files in delivery order
}

// Start writes a configuration from template (the path of testdata/dovecot/dovecot.conf) into a new
// directory and starts Dovecot on a free loopback port. It returns once the server greets; Stop ends it
// and removes the directory.
func Start(ctx context.Context, template string) (*Server, error) {
	bin, err := binary()
	if err != nil {
		return nil, err
	}
	tmpl, err := os.ReadFile(template)
	if err != nil {
		return nil, fmt.Errorf("read dovecot config template: %w", err)
	}
	// A free port is found by asking the kernel for one and releasing it; another process may take it
	// before Dovecot binds, so a failed start is retried on a new port.
	var lastErr error
	for range 3 {
		s, err := start(ctx, bin, string(tmpl))
		if err == nil {
			return s, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func start(ctx context.Context, bin, tmpl string) (*Server, error) {
	dir, err := shortTempDir()
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", Dir: dir, Config: filepath.Join(dir, "dovecot.conf"), mailUID: -1, mailGID: -1, exited: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	if s.Port, err = freePort(); err != nil {
		return nil, err
	}

	vars, err := s.identity()
	if err != nil {
		return nil, err
	}
	vars["{{DIR}}"] = dir
	vars["{{PORT}}"] = strconv.Itoa(s.Port)
	conf := tmpl
	for k, v := range vars {
		conf = strings.ReplaceAll(conf, k, v)
	}
	if i := strings.Index(conf, "{{"); i >= 0 {
		return nil, fmt.Errorf("dovecot config template: unknown placeholder near %q", conf[i:min(len(conf), i+20)])
	}
	if err := os.WriteFile(s.Config, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	home := s.home()
	users := fmt.Sprintf("%s:{PLAIN}%s:%s:%s::%s\n", User, Password, vars["{{MAIL_UID}}"], vars["{{MAIL_GID}}"], home)
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(users), 0o644); err != nil {
		return nil, err
	}
	for _, d := range []string{"", "cur", "new", "tmp"} {
		if err := s.mkdir(filepath.Join(home, "Maildir", d)); err != nil {
			return nil, err
		}
	}

	cmd := exec.Command(bin, "-F", "-c", s.Config)
	out, err := os.Create(filepath.Join(dir, "dovecot.out"))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start dovecot: %w", err)
	}
	s.cmd = cmd
	go func() {
		s.exitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitGreeting(ctx, 10*time.Second); err != nil {
		s.stop()
		return nil, fmt.Errorf("dovecot did not start: %w\n%s", err, s.Log())
	}
	ok = true
	return s, nil
}

// shortTempDir makes the server's directory. Dovecot's unix sockets live under it, and a socket path
// may be about 100 bytes long, so a long TMPDIR is passed over for /tmp.
func shortTempDir() (string, error) {
	dir, err := os.MkdirTemp("", "dovecot")
	if err == nil && len(dir) > 60 {
		os.RemoveAll(dir)
		dir, err = os.MkdirTemp("/tmp", "dovecot")
	}
	if err != nil {
		return "", fmt.Errorf("make dovecot directory: %w", err)
	}
	// Dovecot's login and mail processes run as other users when started by root; they must reach
	// the run directory and the home below this one.
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	return dir, nil
}

// identity fills the placeholders for the users Dovecot's processes and the mail run as.
func (s *Server) identity() (map[string]string, error) {
	if os.Geteuid() == 0 {
		// The Debian package creates dovecot and dovenull; the mail itself belongs to nobody.
		s.mailUID, s.mailGID = rootMailUID, rootMailUID
		return map[string]string{
			"{{INTERNAL_USER}}": "dovecot", "{{INTERNAL_GROUP}}": "dovecot", "{{LOGIN_USER}}": "dovenull",
			"{{MAIL_UID}}": strconv.Itoa(rootMailUID), "{{MAIL_GID}}": strconv.Itoa(rootMailUID),
		}, nil
	}
	// An ordinary user cannot switch users, so every process runs as this one.
	u, err := user.Current()
	if err != nil {
		return nil, fmt.Errorf("look up the current user for dovecot: %w", err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("look up the current group for dovecot: %w", err)
	}
	return map[string]string{
		"{{INTERNAL_USER}}": u.Username, "{{INTERNAL_GROUP}}": g.Name, "{{LOGIN_USER}}": u.Username,
		"{{MAIL_UID}}": u.Uid, "{{MAIL_GID}}": u.Gid,
	}, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) waitGreeting(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("dovecot exited: %v", s.exitErr)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(2 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if err == nil && strings.HasPrefix(line, "* OK") {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no IMAP greeting on %s within %s", s.Addr(), limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Addr is host:port of the IMAP listener.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Log is what Dovecot logged so far, for a failing test to show.
func (s *Server) Log() string {
	var b strings.Builder
	for _, f := range []string{"dovecot.out", "dovecot.log"} {
		if raw, err := os.ReadFile(filepath.Join(s.Dir, f)); err == nil {
			b.Write(raw)
		}
	}
	return b.String()
}

// Stop ends Dovecot and removes its directory.
func (s *Server) Stop() error {
	err := s.stop()
	if rmErr := os.RemoveAll(s.Dir); err == nil {
		err = rmErr
	}
	return err
}

func (s *Server) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	// An interrupt lets the master stop its children; a master that hangs is killed.
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return errors.New("dovecot did not stop within 10 s and was killed")
	}
	return nil
}

func (s *Server) home() string { return filepath.Join(s.Dir, "home", User) }

// maildir is where a folder's messages live (Maildir++: INBOX at the top, others in dot directories).
func (s *Server) maildir(folder string) string {
	if strings.EqualFold(folder, "INBOX") {
		return filepath.Join(s.home(), "Maildir")
	}
	return filepath.Join(s.home(), "Maildir", "."+folder)
}

// mkdir makes dir and its parents below s.Dir, owned by the mail user when running as root.
func (s *Server) mkdir(dir string) error {
	rel, err := filepath.Rel(s.Dir, dir)
	if err != nil {
		return err
	}
	p := s.Dir
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		p = filepath.Join(p, part)
		if err := os.Mkdir(p, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("make mail directory: %w", err)
		}
		if err := s.own(p); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) own(path string) error {
	if s.mailUID < 0 {
		return nil
	}
	if err := os.Lchown(path, s.mailUID, s.mailGID); err != nil {
		return fmt.Errorf("hand %s to the mail user: %w", path, err)
	}
	return nil
}

// Deliver puts messages into folder ("INBOX" or another name, made when missing) as a mail server's
// delivery agent would: each written to tmp/ and renamed into new/. Dovecot gives them UIDs in this
// order when a client next opens the folder. received becomes the messages' INTERNALDATE.
func (s *Server) Deliver(folder string, received time.Time, msgs ...[]byte) error {
	dir := s.maildir(folder)
	for _, d := range []string{"cur", "new", "tmp"} {
		if err := s.mkdir(filepath.Join(dir, d)); err != nil {
			return err
		}
	}
	if dir != s.maildir("INBOX") {
		marker := filepath.Join(dir, "maildirfolder")
		if err := os.WriteFile(marker, nil, 0o600); err != nil {
			return err
		}
		if err := s.own(marker); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pid := os.Getpid()
	for _, raw := range msgs {
		s.delivered++
		// Dovecot orders new files by the time in their name, so the counter goes there.
		name := fmt.Sprintf("%d.M%dP%d.backroom,S=%d", 1_000_000_000+s.delivered, s.delivered, pid, len(raw))
		tmp := filepath.Join(dir, "tmp", name)
		if err := os.WriteFile(tmp, raw, 0o600); err != nil {
			return fmt.Errorf("deliver mail: %w", err)
		}
		if err := s.own(tmp); err != nil {
			return err
		}
		if !received.IsZero() {
			if err := os.Chtimes(tmp, received, received); err != nil {
				return err
			}
		}
		if err := os.Rename(tmp, filepath.Join(dir, "new", name)); err != nil {
			return fmt.Errorf("deliver mail: %w", err)
		}
	}
	return nil
}

// Dial connects and logs in as the mail user, for what a test does beside the code under test
// (APPEND, DELETE and CREATE of folders, reading flags).
func (s *Server) Dial() (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		return nil, fmt.Errorf("dial dovecot: %w", err)
	}
	if err := c.Login(User, Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("log in to dovecot: %w", err)
	}
	return c, nil
}

// Index opens each folder once, so Dovecot files delivered mail into its index now rather than during
// whatever is measured or tested next. It returns the number of messages in each folder.
func (s *Server) Index(folders ...string) ([]uint32, error) {
	c, err := s.Dial()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	counts := make([]uint32, 0, len(folders))
	for _, f := range folders {
		st, err := c.Status(f, &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			return nil, fmt.Errorf("status %s: %w", f, err)
		}
		counts = append(counts, *st.NumMessages)
	}
	return counts, c.Logout().Wait()
}
