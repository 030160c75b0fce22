package keychain

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

var shopMail = data.MailAccount{Host: "imap.example.com", Port: 993, Security: data.MailTLS, User: "orders@example.com"}

func TestKey(t *testing.T) {
	for _, tc := range []struct {
		acct data.MailAccount
		want string
	}{
		{shopMail, "imap://orders%40example.com@imap.example.com:993"},
		{data.MailAccount{Host: "mail.example.org", User: "fern"}, "imap://fern@mail.example.org:993"},
		{data.MailAccount{Host: "mail.example.org", User: "fern", Security: data.MailStartTLS}, "imap://fern@mail.example.org:143"},
		{data.MailAccount{Host: "::1", Port: 1143, User: "fern", Security: data.MailInsecure}, "imap://fern@[::1]:1143"},
	} {
		if got := Key(tc.acct); got != tc.want {
			t.Errorf("Key(%+v) = %q, want %q", tc.acct, got, tc.want)
		}
	}
}

func TestKeychain_Memory(t *testing.T) {
	ctx := context.Background()
	mem := NewMemory()
	kc := NewWith(Service, mem)

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := kc.Password(ctx, shopMail)
		if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnavailable) {
			t.Fatalf("Password() before any was saved: %v, want ErrNotFound", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if err := kc.SetPassword(ctx, shopMail, "app password 1"); err != nil {
			t.Fatal(err)
		}
		if err := kc.SetPassword(ctx, shopMail, "app password 2"); err != nil {
			t.Fatal(err)
		}
		if got, err := kc.Password(ctx, shopMail); err != nil || got != "app password 2" {
			t.Fatalf("Password() = %q, %v, want the one saved last", got, err)
		}
		other := shopMail
		other.Port = 143
		if _, err := kc.Password(ctx, other); !errors.Is(err, ErrNotFound) {
			t.Errorf("another port's password: %v, want ErrNotFound", err)
		}
		if mem.Len() != 1 {
			t.Errorf("%d secrets kept, want 1", mem.Len())
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if err := kc.DeletePassword(ctx, shopMail); err != nil {
			t.Fatal(err)
		}
		if err := kc.DeletePassword(ctx, shopMail); err != nil {
			t.Errorf("removing a password twice: %v, want nil", err)
		}
		if _, err := kc.Password(ctx, shopMail); !errors.Is(err, ErrNotFound) {
			t.Errorf("Password() after DeletePassword: %v, want ErrNotFound", err)
		}
		if mem.Len() != 0 {
			t.Errorf("%d secrets left", mem.Len())
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		if err := kc.SetPassword(ctx, shopMail, ""); err == nil || mem.Len() != 0 {
			t.Errorf("an empty password was saved (err %v)", err)
		}
	})
}

func TestKeychain_Unavailable(t *testing.T) {
	ctx := context.Background()
	cause := errors.New("dbus: couldn't determine address of session bus")
	kc := NewWith(Service, &Memory{Down: cause})
	for name, err := range map[string]error{
		"Password":       func() error { _, err := kc.Password(ctx, shopMail); return err }(),
		"SetPassword":    kc.SetPassword(ctx, shopMail, "secret"),
		"DeletePassword": kc.DeletePassword(ctx, shopMail),
	} {
		if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) || !errors.Is(err, cause) {
			t.Errorf("%s: %v, want ErrUnavailable wrapping the cause", name, err)
			continue
		}
		want := "no keychain is available on this computer (dbus: couldn't determine address of session bus), " +
			"so Backroom asks for the password at each sync and never stores it"
		if err.Error() != want {
			t.Errorf("%s: %q, want %q", name, err, want)
		}
	}
}

// stuck is a keychain waiting on an unlock dialog nobody answers.
type stuck struct{ *Memory }

func (stuck) Get(string, string) (string, error) { select {} }

func TestKeychain_ContextEndsWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := NewWith(Service, stuck{NewMemory()}).Password(ctx, shopMail)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Password() on a stuck keychain: %v, want the context's error", err)
	}
}

func TestSystemError(t *testing.T) {
	for _, tc := range []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"NoBus", errors.New("dbus: couldn't determine address of session bus"), true},
		{"Locked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := systemError(tc.err)
			if errors.Is(got, ErrUnavailable) != tc.unavailable || !errors.Is(got, tc.err) {
				t.Errorf("systemError(%v) = %v, unavailable %v, want %v", tc.err, got, errors.Is(got, ErrUnavailable), tc.unavailable)
			}
		})
	}
}

// TestSystem_SecretService runs the System backend against a real Secret Service: GNOME Keyring on a
// private D-Bus session bus, both started here (Debian packages dbus-daemon and gnome-keyring). Without
// them it is skipped.
func TestSystem_SecretService(t *testing.T) {
	for _, prog := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("%s is not installed (Debian: apt-get install dbus-daemon gnome-keyring)", prog)
		}
	}
	if testing.Short() {
		t.Skip("starts a D-Bus session and GNOME Keyring")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bus := startBus(t, dir)
	// go-keyring talks to the session bus the environment names. The shared connection godbus keeps is
	// made on first use, which in this test process is here.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus)
	kc := NewWith("Backroom test", System{})
	acct := data.MailAccount{Host: "127.0.0.1", Port: 1143, Security: data.MailInsecure, User: "shop"}

	t.Run("NoSecretService", func(t *testing.T) {
		_, err := kc.Password(ctx, acct)
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "no Secret Service") {
			t.Fatalf("Password() with no Secret Service on the bus: %v, want ErrUnavailable", err)
		}
	})

	startKeyring(t, dir, bus)
	t.Run("OK", func(t *testing.T) {
		if _, err := kc.Password(ctx, acct); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Password() before saving: %v, want ErrNotFound", err)
		}
		if err := kc.SetPassword(ctx, acct, "pässword one"); err != nil {
			t.Fatal(err)
		}
		if err := kc.SetPassword(ctx, acct, "pässword two"); err != nil {
			t.Fatal(err)
		}
		if got, err := kc.Password(ctx, acct); err != nil || got != "pässword two" {
			t.Fatalf("Password() = %q, %v, want the one saved last", got, err)
		}
		if err := kc.DeletePassword(ctx, acct); err != nil {
			t.Fatal(err)
		}
		if _, err := kc.Password(ctx, acct); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Password() after DeletePassword: %v, want ErrNotFound", err)
		}
		if err := kc.DeletePassword(ctx, acct); err != nil {
			t.Errorf("removing a password twice: %v", err)
		}
	})
}

// startBus starts a private D-Bus session bus in dir and returns its address. Its configuration has no
// service directories, so nothing is started on demand: the Secret Service exists only once the test
// starts it.
func startBus(t *testing.T, dir string) string {
	t.Helper()
	conf := filepath.Join(dir, "session.conf")
	sock := filepath.Join(dir, "bus")
	err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+sock+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--nopidfile", "--nosyslog", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Skipf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(line)
}

// startKeyring starts GNOME Keyring's Secret Service on the bus, with a login keyring in dir unlocked by a
// password on its standard input, as a desktop login does, and waits until it answers.
func startKeyring(t *testing.T, dir, bus string) {
	t.Helper()
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets", "--control-directory="+dir)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+bus, "HOME="+dir, "XDG_RUNTIME_DIR="+dir,
		"XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	cmd.Stdin = strings.NewReader("login keyring password")
	if err := cmd.Start(); err != nil {
		t.Skipf("start gnome-keyring-daemon: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	probe := NewWith("Backroom test probe", System{})
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := probe.Password(context.Background(), data.MailAccount{Host: "probe", User: "probe"})
		if errors.Is(err, ErrNotFound) {
			return
		}
		if time.Now().After(deadline) {
			t.Skipf("GNOME Keyring did not answer on the bus: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
