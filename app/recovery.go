package app

import (
	"context"
	"errors"
	"fmt"
	"log"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/assets"
	"github.com/backroom-app/backroom/data"
)

// recoveryScreen is the window Backroom shows instead of the shop when the database fails its check at
// start (data.ErrDamaged). The damaged file has not been touched. It lists the backups in the backup
// folder (the one remembered beside the database, since the settings inside it cannot be read) and
// offers the newest good one, another file, or quitting. Anyone at the computer may recover: nobody can
// sign in to a damaged database, and whoever can start Backroom can replace its file anyway.
type recoveryScreen struct {
	ctx   context.Context
	fa    fyne.App
	win   fyne.Window
	bg    *background
	path  string
	cause error

	dir     string
	backups []data.BackupFile
	list    *widget.List
	status  *widget.Label
	newest  *widget.Button
	other   *widget.Button
	quit    *widget.Button
	busy    *widget.ProgressBarInfinite
	working bool

	ui *App // the shop's window, once a backup is restored
}

// RunRecovery shows the recovery window for the damaged database at path and runs until Backroom quits:
// after a restore, the shop's own window takes over in the same run.
func RunRecovery(ctx context.Context, fa fyne.App, path string, cause error) {
	r := newRecoveryScreen(ctx, fa, path, cause)
	r.load()
	r.win.ShowAndRun()
	r.bg.stop()
	if r.ui != nil {
		r.ui.Stop()
	}
}

func newRecoveryScreen(ctx context.Context, fa fyne.App, path string, cause error) *recoveryScreen {
	r := &recoveryScreen{ctx: ctx, fa: fa, path: path, cause: cause, bg: newBackground(ctx)}
	r.win = fa.NewWindow("Backroom: the shop's database is damaged")
	r.win.SetIcon(assets.Icon())
	r.win.Resize(fyne.NewSize(760, 560))
	r.list = widget.NewList(func() int { return len(r.backups) }, func() fyne.CanvasObject {
		return container.NewBorder(nil, nil, widget.NewIcon(theme.StorageIcon()), nil, widget.NewLabel("27 Nov 2026 04:15 · 1,234 orders · 12.5 MB"))
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		b := r.backups[id]
		row := o.(*fyne.Container)
		label := row.Objects[0].(*widget.Label)
		label.SetText(backupLine(b))
		label.Importance = widget.MediumImportance
		if b.Problem != "" {
			label.Importance = widget.DangerImportance
		}
		label.Refresh()
	})
	r.list.OnSelected = func(id widget.ListItemID) {
		r.list.UnselectAll()
		if b := r.backups[id]; b.Problem == "" && !r.working {
			r.confirm(b)
		}
	}
	r.status = widget.NewLabel("Looking for backups…")
	r.status.Wrapping = fyne.TextWrapWord
	r.newest = widget.NewButtonWithIcon("Restore newest good backup", theme.MediaReplayIcon(), r.onNewest)
	r.newest.Importance = widget.HighImportance
	r.newest.Disable()
	r.other = widget.NewButtonWithIcon("Choose another…", theme.FolderOpenIcon(), r.onOther)
	r.quit = widget.NewButtonWithIcon("Quit", theme.CancelIcon(), func() { fa.Quit() })
	r.busy = widget.NewProgressBarInfinite()
	r.busy.Stop()
	r.busy.Hide()

	msg := widget.NewLabel(fmt.Sprintf("Backroom checks the shop's database every time it starts, and %s failed the check. "+
		"Backroom has not changed the file. Restore a backup to carry on: the damaged file is kept beside it, renamed "+
		"%s.damaged-<time>, for anyone who wants to rescue more from it.", path, filepath.Base(path)))
	msg.Wrapping = fyne.TextWrapWord
	detail := mutedLine("Details: " + data.UserMessage(cause))
	detail.Truncation = fyne.TextTruncateOff
	detail.Wrapping = fyne.TextWrapWord
	head := container.NewVBox(
		widget.NewLabelWithStyle("The shop's database is damaged", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		msg, detail, widget.NewSeparator(), r.status)
	foot := container.NewVBox(r.busy, container.NewHBox(r.newest, r.other, layout.NewSpacer(), r.quit))
	r.win.SetContent(container.NewPadded(container.NewBorder(head, foot, nil, nil, r.list)))
	return r
}

// backupLine is one backup in the recovery list.
func backupLine(b data.BackupFile) string {
	s := b.Time.In(time.Local).Format("Mon 2 Jan 2006 15:04")
	if b.Orders >= 0 {
		s += " · " + plural(b.Orders, "order", "orders")
	}
	s += " · " + fileSize(b.Size)
	if b.Problem != "" {
		s += " · cannot be used: " + b.Problem
	}
	return s
}

// load lists the backups of the damaged database, newest first.
func (r *recoveryScreen) load() {
	run(r.bg, func(ctx context.Context) ([]data.BackupFile, error) {
		dir, list, err := data.BackupsOf(ctx, r.path)
		r.dir = dir
		return list, err
	}, func(list []data.BackupFile, err error) {
		r.backups = list
		r.list.Refresh()
		good := 0
		for _, b := range list {
			if b.Problem == "" {
				good++
			}
		}
		switch {
		case err != nil:
			r.status.SetText(data.UserMessage(err) + " Choose a backup file with Choose another….")
		case good == 0:
			r.status.SetText(fmt.Sprintf("There are no usable backups in %s. If they are on a USB disk or in a synced folder, "+
				"connect it and start Backroom again, or choose a backup file with Choose another….", r.dir))
		default:
			r.status.SetText(fmt.Sprintf("Backups in %s, newest first. Tap one to restore it.", r.dir))
		}
		setEnabled(r.newest, good > 0)
	})
}

// onNewest restores the newest backup that passes its check, trying older ones when a newer one fails.
func (r *recoveryScreen) onNewest() {
	var candidates []string
	for _, b := range r.backups {
		if b.Problem == "" {
			candidates = append(candidates, b.Path)
		}
	}
	r.restore(candidates)
}

func (r *recoveryScreen) onOther() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(err, r.win)
			return
		}
		if rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		r.confirm(data.BackupFile{Name: filepath.Base(path), Path: path, Orders: -1})
	}, r.win)
	if l, err := storage.ListerForURI(storage.NewFileURI(r.dir)); err == nil {
		d.SetLocation(l)
	}
	d.Resize(fyne.NewSize(720, 480))
	d.Show()
}

func (r *recoveryScreen) confirm(b data.BackupFile) {
	when := "the backup " + b.Name
	if !b.Time.IsZero() && b.Orders >= 0 {
		when = fmt.Sprintf("the backup made %s", b.Time.In(time.Local).Format("Monday 2 January 2006 at 15:04"))
	}
	dialog.ShowConfirm("Restore a backup", fmt.Sprintf("Restore %s? It is checked first.", when), func(ok bool) {
		if ok {
			r.restore([]string{b.Path})
		}
	}, r.win)
}

type restored struct {
	store  *data.Store
	report data.RestoreReport
}

// restore tries the backups in order until one passes its check, then opens the shop on it.
func (r *recoveryScreen) restore(paths []string) {
	r.working = true
	r.busy.Show()
	r.busy.Start()
	for _, b := range []*widget.Button{r.newest, r.other} {
		b.Disable()
	}
	r.status.SetText("Checking the backup and putting it in place…")
	run(r.bg, func(ctx context.Context) (restored, error) {
		rep, err := restoreFirstGood(ctx, r.path, paths)
		if err != nil {
			return restored{report: rep}, err
		}
		s, err := data.Open(ctx, r.path, data.Options{})
		return restored{store: s, report: rep}, err
	}, func(res restored, err error) {
		r.working = false
		r.busy.Stop()
		r.busy.Hide()
		r.other.Enable()
		if err != nil {
			log.Printf("backroom: restore: %v", err)
			r.status.SetText(data.UserMessage(err))
			r.load()
			return
		}
		ui := New(r.ctx, r.fa, res.store)
		ui.opened = res.store
		r.ui = ui
		ui.Start()
		ui.win.Show()
		r.win.Close()
		dialog.ShowInformation("Backup restored", restoredText(res.report), ui.win)
	})
}

// restoreFirstGood restores the first of paths that passes its check. A backup that fails it is skipped
// (nothing was moved yet); any other failure stops.
func restoreFirstGood(ctx context.Context, dbPath string, paths []string) (data.RestoreReport, error) {
	var last error = errors.New("no backup to restore")
	for _, p := range paths {
		rep, err := data.Restore(ctx, dbPath, p, data.RestoreOptions{Damaged: true})
		if err == nil {
			return rep, nil
		}
		last = err
		if rep.Aside != "" || !(errors.Is(err, data.ErrDamaged) || errors.Is(err, data.ErrNotBackroom)) {
			return rep, err
		}
		log.Printf("backroom: skip backup %s: %v", p, err)
	}
	return data.RestoreReport{}, last
}

func restoredText(rep data.RestoreReport) string {
	s := fmt.Sprintf("The shop is back as it was at %s", rep.Backup.Time.In(time.Local).Format("15:04 on Monday 2 January 2006"))
	if rep.Backup.Orders >= 0 {
		s += fmt.Sprintf(" (%s)", plural(rep.Backup.Orders, "order", "orders"))
	}
	s += ". Anything recorded after that needs entering again; imports can simply be run again."
	if rep.Aside != "" {
		s += "\n\nThe file it replaced is kept at\n" + rep.Aside
	}
	return s
}

// restoreBackup replaces the open shop's database with the backup at path (Settings › Backups): every
// screen and watch stops, the store closes, the backup is checked and swapped in, and the app starts
// again on it. The owner only.
func (a *App) restoreBackup(path string, damaged bool) {
	if err := a.store.MayRestore(); err != nil {
		showError(a.win, err)
		return
	}
	prog := dialog.NewCustomWithoutButtons("Restoring the backup",
		container.NewVBox(widget.NewLabel("Checking the backup and putting it in place…"), widget.NewProgressBarInfinite()), a.win)
	prog.Show()
	// Nothing may use the file while it is swapped: stop every screen's and watch's work first.
	a.bg.stop()
	a.bg = newBackground(a.ctx)
	old, dbPath := a.base, a.base.Path()
	run(a.bg, func(ctx context.Context) (restored, error) {
		if err := old.Close(); err != nil {
			log.Printf("backroom: close %s before restoring: %v", dbPath, err)
		}
		rep, rerr := data.Restore(ctx, dbPath, path, data.RestoreOptions{Damaged: damaged})
		// The restored file, or the untouched old one when the backup was refused.
		s, err := data.Open(ctx, dbPath, data.Options{})
		if rerr != nil {
			return restored{store: s, report: rep}, rerr
		}
		return restored{store: s, report: rep}, err
	}, func(res restored, err error) {
		prog.Hide()
		if res.store == nil {
			// Neither file opens: the window has no shop left to show.
			a.win.SetContent(container.NewCenter(widget.NewLabel(data.UserMessage(err) + "\nClose Backroom and start it again.")))
			return
		}
		a.opened = res.store // the old store, if the app had opened it, is closed above
		a.base, a.store = res.store, res.store
		a.newWatches()
		a.Start()
		if err != nil {
			showError(a.win, err)
			return
		}
		dialog.ShowInformation("Backup restored", restoredText(res.report)+"\n\nBackroom has started again on the restored shop.", a.win)
	})
}
