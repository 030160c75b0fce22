// Command mailbench measures Backroom's order e-mail sync against mbsync (isync) on the same mailbox of
// a local Dovecot, in one run so the ratio compares like with like on a shared machine. bench/mail.sh
// (make bench-mail) builds it and runs it; see BENCHMARKS.md.
//
// It starts Dovecot from testdata/dovecot/dovecot.conf (importers/mailbox/dovecottest), fills INBOX
// with a realistic mix made from the fixtures in testdata/mail (order notifications of all five
// channels with unique order numbers, newsletters, shipment notices, mail for review), lets Dovecot
// index it, and then, REPEAT times:
//
//  1. mbsync copies the mailbox into a new Maildir (Sync Pull, Create Near), once as configured by
//     default (FSync yes: every message file is fsynced) and once with FSync no, which is closer to
//     what the shop database does (SQLite in WAL mode with synchronous=NORMAL syncs at checkpoints);
//  2. `backroom mail sync` reads it into a new shop database (fetch, parse, store);
//  3. the same sync again, with no new mail.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/backroom-app/backroom/importers/mailbox/dovecottest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mailbench:", err)
		os.Exit(1)
	}
}

func run() error {
	messages := flag.Int("messages", 10000, "messages in the mailbox")
	repeat := flag.Int("repeat", 3, "runs of each measurement; the table shows the median")
	backroom := flag.String("backroom", "", "the backroom binary, run as BIN --db FILE mail sync --host ... --json")
	work := flag.String("work", "", "directory for the Maildirs and databases (default: a new temporary one)")
	flag.Parse()
	if *backroom == "" {
		return errors.New("give -backroom")
	}
	if _, err := exec.LookPath("mbsync"); err != nil {
		return errors.New("mbsync is not installed (Debian: apt-get install isync)")
	}
	if *work == "" {
		dir, err := os.MkdirTemp("", "backroom-mail-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*work = dir
	}
	ctx := context.Background()

	templates, err := dovecottest.Templates(filepath.Join("testdata", "mail"))
	if err != nil {
		return err
	}
	srv, err := dovecottest.Start(ctx, filepath.Join("testdata", "dovecot", "dovecot.conf"))
	if err != nil {
		return err
	}
	defer srv.Stop()

	start := time.Now()
	msgs, counts := dovecottest.Mailbox(templates, 1, *messages)
	size := 0
	for _, m := range msgs {
		size += len(m)
	}
	if err := srv.Deliver("INBOX", time.Now(), msgs...); err != nil {
		return err
	}
	// Dovecot indexes new Maildir files when a client first opens the folder; done here, that work is
	// charged to neither tool.
	if _, err := srv.Index("INBOX"); err != nil {
		return err
	}
	fmt.Printf("== mailbox: %d messages, %.1f MB (%d orders, %d not orders, %d for review), Dovecot on %s; ready in %.1f s\n",
		len(msgs), float64(size)/1e6, counts.Orders, counts.NotOrders, counts.Unknown, srv.Addr(), time.Since(start).Seconds())

	var mbsync, mbsyncNoFsync, first, again []result
	for i := 1; i <= *repeat; i++ {
		d, err := runMbsync(ctx, srv, *work, i, len(msgs), true)
		if err != nil {
			return err
		}
		report("mbsync", i, d, fmt.Sprintf("%d messages copied", len(msgs)))
		mbsync = append(mbsync, d)
		d, err = runMbsync(ctx, srv, *work, i, len(msgs), false)
		if err != nil {
			return err
		}
		report("mbsync, FSync no", i, d, fmt.Sprintf("%d messages copied", len(msgs)))
		mbsyncNoFsync = append(mbsyncNoFsync, d)

		db := filepath.Join(*work, fmt.Sprintf("shop-%d.db", i))
		d, sum, err := runSync(ctx, *backroom, db, srv)
		if err != nil {
			return err
		}
		if sum.Seen != len(msgs) || sum.OrdersNew != counts.Orders || sum.Ignored != counts.NotOrders || sum.Queued != counts.Unknown {
			return fmt.Errorf("first sync read %+v, want %d messages: %d orders, %d ignored, %d for review",
				sum, len(msgs), counts.Orders, counts.NotOrders, counts.Unknown)
		}
		report("backroom mail sync", i, d, fmt.Sprintf("%d orders created, %d ignored, %d for review", sum.OrdersNew, sum.Ignored, sum.Queued))
		first = append(first, d)

		d, sum, err = runSync(ctx, *backroom, db, srv)
		if err != nil {
			return err
		}
		if sum.Seen != 0 {
			return fmt.Errorf("sync with no new mail read %d messages", sum.Seen)
		}
		report("backroom, no new mail", i, d, "")
		again = append(again, d)
	}

	m, mn, f, a := median(mbsync), median(mbsyncNoFsync), median(first), median(again)
	fmt.Printf("\n== results (median of %d runs; %d messages; compare within this run)\n", *repeat, len(msgs))
	n := float64(len(msgs))
	fmt.Printf("%-34s %9s %11s %12s  %s\n", "measurement", "seconds", "messages/s", "peak RSS MB", "note")
	fmt.Printf("%-34s %9.2f %11.0f %12.1f  %s\n", "mbsync → Maildir", m.seconds, n/m.seconds, m.rssMB, "default settings (FSync yes)")
	fmt.Printf("%-34s %9.2f %11.0f %12.1f  %s\n", "mbsync → Maildir, FSync no", mn.seconds, n/mn.seconds, mn.rssMB, "")
	fmt.Printf("%-34s %9.2f %11.0f %12.1f  %s\n", "backroom mail sync → new shop", f.seconds, n/f.seconds, f.rssMB,
		fmt.Sprintf("%.2fx mbsync (goal <= 2x); %.2fx mbsync with FSync no", f.seconds/m.seconds, f.seconds/mn.seconds))
	fmt.Printf("%-34s %9.3f %11s %12.1f  %s\n", "backroom mail sync, no new mail", a.seconds, "", a.rssMB,
		fmt.Sprintf("%.0f ms (goal < 200 ms)", a.seconds*1000))
	return nil
}

func report(name string, run int, r result, note string) {
	fmt.Printf("   %-24s run %d: %8.3f s  %6.1f MB peak RSS  %s\n", name, run, r.seconds, r.rssMB, note)
}

// result is one measured command: wall time and the peak resident memory of the process.
type result struct {
	seconds, rssMB float64
}

// command runs name with args under /usr/bin/time when it is installed, for the peak memory of the
// command itself. The rusage Go gets from wait4 will not do: Linux keeps a forked child's peak RSS
// across exec, so it would report this program's own memory whenever the command uses less.
//
// Every command starts with the disk quiet: what the previous one left in the page cache is written
// out first (sync), so its writeback is not charged to the next.
func command(ctx context.Context, work, name string, args ...string) *exec.Cmd {
	syscall.Sync()
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return exec.CommandContext(ctx, name, args...)
	}
	return exec.CommandContext(ctx, "/usr/bin/time", append([]string{"-f", "%M", "-o", filepath.Join(work, "rss"), name}, args...)...)
}

// measured is the wall time since start and the peak RSS /usr/bin/time wrote (0 without it).
func measured(work string, start time.Time) result {
	r := result{seconds: time.Since(start).Seconds()}
	if raw, err := os.ReadFile(filepath.Join(work, "rss")); err == nil {
		if kb, err := strconv.ParseFloat(strings.TrimSpace(string(raw)), 64); err == nil {
			r.rssMB = kb / 1024
		}
		os.Remove(filepath.Join(work, "rss"))
	}
	return r
}

// median is the run with the median time, and the median peak memory.
func median(rs []result) result {
	secs, rss := make([]float64, len(rs)), make([]float64, len(rs))
	for i, r := range rs {
		secs[i], rss[i] = r.seconds, r.rssMB
	}
	slices.Sort(secs)
	slices.Sort(rss)
	return result{secs[len(secs)/2], rss[len(rss)/2]}
}

// runMbsync copies INBOX into a new Maildir and checks every message arrived.
func runMbsync(ctx context.Context, srv *dovecottest.Server, work string, run, want int, fsync bool) (result, error) {
	dir := filepath.Join(work, fmt.Sprintf("mbsync-%d-%v", run, fsync))
	defer os.RemoveAll(dir)
	if err := os.RemoveAll(dir); err != nil {
		return result{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return result{}, err
	}
	rc := filepath.Join(work, "mbsyncrc")
	fsyncSetting := "yes"
	if !fsync {
		fsyncSetting = "no"
	}
	conf := fmt.Sprintf(`FSync %s

IMAPAccount bench
Host %s
Port %d
User %s
Pass %s
SSLType None
AuthMechs LOGIN

IMAPStore far
Account bench

MaildirStore near
Path %s/
Inbox %s/INBOX

Channel bench
Far :far:
Near :near:
Patterns INBOX
Sync Pull
Create Near
SyncState *
`, fsyncSetting, srv.Host, srv.Port, dovecottest.User, dovecottest.Password, dir, dir)
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		return result{}, err
	}
	cmd := command(ctx, work, "mbsync", "-c", rc, "-q", "bench")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	if err != nil {
		return result{}, fmt.Errorf("mbsync: %w\n%s", err, out.String())
	}
	d := measured(work, start)
	n := 0
	for _, sub := range []string{"cur", "new"} {
		files, err := os.ReadDir(filepath.Join(dir, "INBOX", sub))
		if err != nil {
			return result{}, fmt.Errorf("mbsync left no Maildir: %w\n%s", err, out.String())
		}
		n += len(files)
	}
	if n != want {
		return result{}, fmt.Errorf("mbsync copied %d messages, want %d\n%s", n, want, out.String())
	}
	return d, nil
}

// summary is the --json contract of `backroom mail sync`.
type summary struct {
	Seen      int    `json:"messages_seen"`
	OrdersNew int    `json:"orders_created"`
	Ignored   int    `json:"ignored"`
	Queued    int    `json:"queued_for_review"`
	Error     string `json:"error"`
}

// runSync runs one `backroom mail sync` of the server's mailbox into db.
func runSync(ctx context.Context, bin, db string, srv *dovecottest.Server) (result, summary, error) {
	cmd := command(ctx, filepath.Dir(db), bin, "--db", db, "mail", "sync", "--host", srv.Host, "--port", strconv.Itoa(srv.Port),
		"--user", dovecottest.User, "--security", "insecure", "--password-stdin", "--json")
	cmd.Stdin = strings.NewReader(dovecottest.Password + "\n")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	d := measured(filepath.Dir(db), start)
	var sum summary
	if jerr := json.Unmarshal(out.Bytes(), &sum); jerr != nil && err == nil {
		err = fmt.Errorf("read --json output: %w", jerr)
	}
	if err != nil || sum.Error != "" {
		return result{}, sum, fmt.Errorf("%s mail sync: %v %s\n%s%s", bin, err, sum.Error, out.String(), errOut.String())
	}
	return d, sum, nil
}
