package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// buildBinary builds the real backroom binary once for this test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "backroom")
	cmd := exec.Command("go", "build", "-o", bin, "..") // the module root: main.go
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startXvfb starts a private X server and returns its display name. Xvfb picks a free display itself
// and reports it on a pipe, so parallel runs never collide.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	xvfb := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	xvfb.ExtraFiles = []*os.File{w}
	if err := xvfb.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() {
		xvfb.Process.Kill()
		xvfb.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatal("Xvfb did not report a display")
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20s")
	}
	return ""
}

// screenshot grabs the whole X screen as an image.
func screenshot(t *testing.T, display, path string) image.Image {
	t.Helper()
	cmd := exec.Command("import", "-window", "root", path)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	return img
}

// colours counts the distinct colours of an image, sampling every other pixel: a blank or black window
// has one or two, a rendered dashboard with text and icons has hundreds.
func colours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	return len(seen)
}

// TestWindow starts the real binary on a demo database under Xvfb and checks that its window renders.
func TestWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real app")
	}
	for _, tool := range []string{"Xvfb", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (make test-deps installs it)", tool)
		}
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	if out, err := exec.Command(bin, "--db", db, "demo").CombinedOutput(); err != nil {
		t.Fatalf("backroom demo: %v\n%s", err, out)
	}
	display := startXvfb(t)
	before := colours(screenshot(t, display, filepath.Join(dir, "before.png")))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app := exec.CommandContext(ctx, bin, "--db", db)
	app.Env = append(os.Environ(), "DISPLAY="+display, "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "LANG=en_US.UTF-8")
	var logs bytes.Buffer
	app.Stdout, app.Stderr = &logs, &logs
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()

	// The window is up once the screen holds far more colours than the empty root window.
	shot := filepath.Join(dir, "window.png")
	deadline := time.Now().Add(60 * time.Second)
	got := 0
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("backroom exited early: %v\n%s", err, logs.String())
		case <-time.After(time.Second):
		}
		if got = colours(screenshot(t, display, shot)); got > 40 {
			break
		}
	}
	if keep := os.Getenv("BACKROOM_SCREENSHOTS"); keep != "" {
		if b, err := os.ReadFile(shot); err == nil {
			os.WriteFile(filepath.Join(keep, "window.png"), b, 0o644)
		}
	}
	if got <= 40 {
		t.Fatalf("window shows %d colours (empty screen had %d), want a rendered window\n%s", got, before, logs.String())
	}
	// Ctrl+C in the terminal quits the app cleanly, through Fyne, not by dying.
	if err := app.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("backroom after Ctrl+C: %v, want a clean exit\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Errorf("backroom still running 15s after Ctrl+C")
	}
}

// TestNoDisplay checks that without a display the GUI says so in one line instead of crashing, and
// that command-line subcommands still work.
func TestNoDisplay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the real app")
	}
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "shop.db")
	cmd := exec.Command(bin, "--db", db)
	cmd.Env = withoutDisplay(os.Environ())
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("backroom without a display exited 0, want an error\n%s", out)
	}
	msg := strings.TrimSpace(string(out))
	if strings.Count(msg, "\n") > 0 || !strings.Contains(msg, "display") || strings.Contains(msg, "panic") {
		t.Errorf("output = %q, want one line about the missing display", msg)
	}
	for _, args := range [][]string{{"demo"}, {"stock", "list", "--json"}} {
		cmd = exec.Command(bin, append([]string{"--db", db}, args...)...)
		// The bare C locale of containers and cron: Fyne must not log about it into a command's output.
		cmd.Env = append(withoutDisplay(os.Environ()), "LANG=C.UTF-8", "LC_ALL=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("backroom %s without a display: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		if stderr.Len() > 0 {
			t.Errorf("backroom %s wrote to stderr: %q", strings.Join(args, " "), stderr.String())
		}
		if args[0] == "stock" {
			var levels []map[string]any
			if err := json.Unmarshal(out, &levels); err != nil || len(levels) == 0 {
				t.Errorf("stock list --json without a display = %d rows, %v; want the demo's stock", len(levels), err)
			}
		}
	}
}

func withoutDisplay(env []string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, "DISPLAY=") && !strings.HasPrefix(e, "WAYLAND_DISPLAY=") {
			out = append(out, e)
		}
	}
	return out
}

func TestCheckDisplay(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("no X display to check on " + runtime.GOOS)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if err := CheckDisplay(env(nil)); err == nil {
		t.Error("CheckDisplay(no DISPLAY) = nil, want an error")
	}
	if err := CheckDisplay(env(map[string]string{"DISPLAY": ":4242"})); err == nil || !strings.Contains(err.Error(), ":4242") {
		t.Errorf("CheckDisplay(:4242 with no server) = %v, want an error naming the display", err)
	}
	if err := CheckDisplay(env(map[string]string{"WAYLAND_DISPLAY": "wayland-0"})); err != nil {
		t.Errorf("CheckDisplay(wayland) = %v, want nil", err)
	}
}
