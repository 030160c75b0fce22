package app

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// backupsTabTitle is the Settings tab of backups.
const backupsTabTitle = "Backups"

// backupSettings is Settings › Backups, for owners: where backups go, "Back up now" with its progress,
// the backups in the folder, and restoring one of them.
type backupSettings struct {
	a *App

	folder        *widget.Label
	chooseFolder  *widget.Button
	defaultFolder *widget.Button
	backupNow     *widget.Button
	progress      *widget.ProgressBar
	status        *widget.Label
	list          *pagedTable[data.BackupFile]
	chosen        *data.BackupFile
	restore       *widget.Button
	note          *widget.Label
	// dir is the folder on display; "" until the first load.
	dir string
	// wasRunning is whether a backup ran when the state was last shown, to reload the list once it ends.
	wasRunning bool
}

func newBackupSettings(a *App) *backupSettings {
	b := &backupSettings{a: a}
	b.folder = selectableLabel("")
	b.folder.Wrapping = fyne.TextWrapBreak
	b.chooseFolder = widget.NewButtonWithIcon("Choose folder…", theme.FolderOpenIcon(), b.onChooseFolder)
	b.defaultFolder = widget.NewButtonWithIcon("Use the default folder", theme.HistoryIcon(), func() { b.setFolder("") })
	b.backupNow = widget.NewButtonWithIcon("Back up now", theme.DocumentSaveIcon(), func() { a.backups.request(a.store) })
	b.backupNow.Importance = widget.HighImportance
	b.progress = widget.NewProgressBar()
	b.progress.Hide()
	b.status = widget.NewLabel("")
	b.status.Wrapping = fyne.TextWrapWord
	b.list = newPagedTable(a, "backups", []column[data.BackupFile]{
		{title: "Made", width: 150, text: func(f data.BackupFile) string { return f.Time.In(time.Local).Format("2 Jan 2006 15:04") }},
		{title: "Size", width: 90, align: fyne.TextAlignTrailing, text: func(f data.BackupFile) string { return fileSize(f.Size) }},
		{title: "Orders", width: 80, align: fyne.TextAlignTrailing, text: func(f data.BackupFile) string {
			if f.Orders < 0 {
				return "?"
			}
			return fmt.Sprint(f.Orders)
		}},
		{title: "Check", width: 220, grow: 1, text: func(f data.BackupFile) string {
			if f.Problem != "" {
				return f.Problem
			}
			return "Passed when made; checked again before a restore"
		}, style: func(f data.BackupFile) widget.Importance {
			if f.Problem != "" {
				return widget.DangerImportance
			}
			return widget.MediumImportance
		}},
		{title: "File", width: 240, drop: 1, text: func(f data.BackupFile) string { return f.Name }},
	}, func(f data.BackupFile) string { return f.Name })
	b.list.emptyText = "No backups yet. Backroom makes one shortly after it starts, after every import and every day; " +
		"or press Back up now."
	b.list.onSelected = func(f data.BackupFile) {
		b.chosen = &f
		setEnabled(b.restore, f.Problem == "")
	}
	b.restore = widget.NewButtonWithIcon("Restore chosen backup…", theme.MediaReplayIcon(), func() {
		if b.chosen != nil {
			b.onRestore(*b.chosen)
		}
	})
	b.restore.Importance = widget.DangerImportance
	b.restore.Disable()
	b.note = widget.NewLabel("")
	b.note.Wrapping = fyne.TextWrapWord
	b.note.Hide()
	a.backups.listen("settings", b.showState)
	return b
}

func (b *backupSettings) view() fyne.CanvasObject {
	top := container.NewVBox(
		sectionHeading("Backups", "Backroom copies the whole shop into this folder while you work: shortly after it starts, "+
			"after every import, after mail that brought orders (at most hourly) and once a day. Each copy is checked before it "+
			"is kept. It keeps the newest of each of the last 7 days, 4 weeks and 12 months. A synced folder (Dropbox, "+
			"OneDrive, iCloud Drive) or a USB disk keeps them safe when this computer is not."),
		widget.NewForm(widget.NewFormItem("Backup folder", b.folder)),
		container.NewHBox(b.chooseFolder, b.defaultFolder),
		widget.NewSeparator(),
		container.NewHBox(b.backupNow, b.restore),
		b.progress, b.status, b.note)
	return container.NewBorder(top, nil, nil, nil, b.list.view())
}

func (b *backupSettings) refresh() {
	store := b.a.store
	b.list.setSource(listSource(func(ctx context.Context) ([]data.BackupFile, error) {
		_, list, err := store.Backups(ctx)
		return list, err
	}))
	run(b.a.bg, func(ctx context.Context) (string, error) {
		return store.BackupFolder(ctx)
	}, func(d string, err error) {
		if err != nil {
			b.showNote(data.UserMessage(err), widget.DangerImportance)
			return
		}
		b.dir = d
		b.folder.SetText(d)
		setEnabled(b.defaultFolder, d != data.DefaultBackupFolder(b.a.base.Path()))
	})
	b.showState()
}

// showState shows what the backup watch is doing: progress while a backup runs, else the last result.
func (b *backupSettings) showState() {
	w := b.a.backups
	setEnabled(b.backupNow, !w.running)
	if b.wasRunning && !w.running {
		b.list.reload()
	}
	b.wasRunning = w.running
	switch {
	case w.running:
		b.progress.Show()
		b.progress.SetValue(w.progress)
		b.status.Importance = widget.MediumImportance
		b.status.SetText("Backing up… Backroom stays usable meanwhile.")
	case w.lastErr != nil:
		b.progress.Hide()
		b.status.Importance = widget.DangerImportance
		b.status.SetText("The last backup failed: " + data.UserMessage(w.lastErr))
	case w.last.Backup.Name != "":
		b.progress.Hide()
		b.status.Importance = widget.SuccessImportance
		b.status.SetText(fmt.Sprintf("Backed up at %s: %s, %s, checked.", w.last.Backup.Time.In(time.Local).Format("15:04"),
			fileSize(w.last.Backup.Size), plural(max(w.last.Backup.Orders, 0), "order", "orders")))
	default:
		b.progress.Hide()
		b.status.SetText("")
	}
}

func (b *backupSettings) showNote(text string, imp widget.Importance) {
	b.note.Importance = imp
	b.note.SetText(text)
	b.note.Show()
}

func (b *backupSettings) onChooseFolder() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			showError(b.a.win, err)
			return
		}
		if u != nil {
			b.setFolder(u.Path())
		}
	}, b.a.win)
	if b.dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(b.dir)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// setFolder makes dir the backup folder; "" is the default.
func (b *backupSettings) setFolder(dir string) {
	store := b.a.store
	run(b.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.SetBackupFolder(ctx, dir)
	}, func(_ struct{}, err error) {
		if err != nil {
			b.showNote(data.UserMessage(err), widget.DangerImportance)
			return
		}
		b.showNote("Backups now go to the new folder. The next one is made now.", widget.SuccessImportance)
		b.refresh()
		b.a.backups.request(b.a.store)
	})
}

// onRestore asks, then replaces the shop's database with backup f.
func (b *backupSettings) onRestore(f data.BackupFile) {
	msg := widget.NewLabel(fmt.Sprintf("Replace the shop's database with the backup made %s (%s)?\n\n"+
		"Everything recorded since then is not in the backup. The current file is not deleted: it is kept beside the "+
		"database as %s.replaced-<time>. Backroom checks the backup first, and everyone is signed out.",
		f.Time.In(time.Local).Format("Monday 2 January 2006 at 15:04"), plural(max(f.Orders, 0), "order", "orders"),
		filepath.Base(b.a.base.Path())))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Restore a backup", "Restore", "Cancel", fixedWidth(msg, 460), func(ok bool) {
		if ok {
			b.a.restoreBackup(f.Path, false)
		}
	}, b.a.win)
	d.Show()
}
