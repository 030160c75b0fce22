package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers"
)

// importSource is a file to import. An importer reads a file once, and a file is read in three passes
// (its hash, its header and preview, the import itself), so a source opens its bytes afresh each time.
type importSource struct {
	name string
	open func() (io.ReadCloser, error)
}

// uriSource reads a file chosen in the file dialog or dropped on the window.
func uriSource(u fyne.URI) importSource {
	return importSource{name: u.Name(), open: func() (io.ReadCloser, error) { return storage.Reader(u) }}
}

// fileInfo is what Backroom learnt from a file before importing it.
type fileInfo struct {
	size     int64
	sha256   string
	before   *data.ImportLogEntry // the last import of the same bytes that wrote something
	currency string               // the shop's, for files that do not name theirs

	formatID   string
	formatName string
	kind       importers.Kind
	channel    string
	known      bool                // a built-in format or a saved mapping reads it
	mapping    *data.ColumnMapping // the saved mapping that reads it, when no format does

	layout    string
	header    []string
	headerAt  int
	preview   []importers.Row
	signature string
}

// Job states, in the order a file goes through them.
const (
	jobReading   = "reading"   // hashing and previewing
	jobFailed    = "failed"    // the file could not be read at all
	jobReady     = "ready"     // previewed, waiting for the owner
	jobImporting = "importing" // a check or an import is running
	jobDone      = "done"      // imported, partly imported, refused, checked or cancelled: see result
)

// importJob is one file on the Import tab, from choosing it until its result. Jobs are only touched on
// the UI goroutine; background work gets copies of what it needs.
type importJob struct {
	src    importSource
	state  string
	info   *fileInfo
	err    error              // why the file could not be read or imported
	result *data.ImportResult // of the last check or import
	dryRun bool               // result is a check: nothing was written
	// locations says which of the shop's locations the file's new location names are, as the owner
	// chose after a check; the import remembers them.
	locations map[string]string

	cancelled bool
	cancel    context.CancelFunc // stops the running import
	read      atomic.Int64       // bytes the running import has read, for its progress bar
}

// problemRow is one line of a problems table: a file's error or warning.
type problemRow struct {
	n    int // its place in the list, the row's key
	file string
	data.Problem
}

// fileError marks an error the file itself caused (cut off, not a spreadsheet), whose text is written
// for people, unlike a database failure, which only the log should show.
type fileError struct{ err error }

func (e fileError) Error() string { return e.err.Error() }
func (e fileError) Unwrap() error { return e.err }

// importErrorText is what the owner reads when an import stopped.
func importErrorText(err error) string {
	var fe fileError
	var de *data.Error
	switch {
	case errors.As(err, &de):
		return data.UserMessage(err)
	case errors.As(err, &fe):
		return fe.Error()
	case errors.Is(err, importers.ErrUnknownLayout):
		return "Backroom does not know this layout yet: map its columns first."
	}
	return data.UserMessage(err)
}

// readFile hashes the whole file, then looks up earlier imports of it: that notice comes before any
// other. Then it reads the header and the first rows, and finds the format or the saved column mapping
// that reads them.
func readFile(ctx context.Context, store *data.Store, src importSource) (fileInfo, error) {
	var info fileInfo
	rc, err := src.open()
	if err != nil {
		return info, fileError{fmt.Errorf("open %s: %w", src.name, err)}
	}
	h := sha256.New()
	info.size, err = io.Copy(h, &countingReader{ctx: ctx, r: rc})
	rc.Close()
	if err != nil {
		if ctx.Err() != nil {
			return info, ctx.Err()
		}
		return info, fileError{fmt.Errorf("read %s: %w", src.name, err)}
	}
	info.sha256 = hex.EncodeToString(h.Sum(nil))
	before, err := store.ImportedBefore(ctx, info.sha256)
	switch {
	case err == nil:
		info.before = &before
	case !errors.Is(err, data.ErrNotFound):
		return info, err
	}
	if info.currency, err = store.Setting(ctx, data.SettingCurrency); err != nil {
		return info, err
	}

	rc, err = src.open()
	if err != nil {
		return info, fileError{fmt.Errorf("open %s: %w", src.name, err)}
	}
	defer rc.Close()
	f, err := importers.Open(rc, src.name, importers.Options{Currency: info.currency, Location: time.Local})
	if err != nil {
		return info, fileError{err}
	}
	defer f.Close()
	info.layout, info.header, info.headerAt, info.preview, info.signature = f.Layout, f.Header, f.HeaderAt, f.Preview, f.Signature()
	if f.Format == nil {
		m, err := store.ColumnMapping(ctx, info.signature)
		switch {
		case err == nil:
			if f.UseMapping(m) == nil {
				info.mapping = &m
			}
		case !errors.Is(err, data.ErrNotFound):
			return info, err
		}
	}
	info.describe(f)
	return info, nil
}

// describe copies what reads the file: its format, or its mapping.
func (info *fileInfo) describe(f *importers.File) {
	info.formatID, info.formatName = f.FormatID(), f.FormatName()
	switch {
	case f.Format != nil:
		info.known, info.kind, info.channel = true, f.Format.Kind, f.Format.Channel
	case f.Mapping != nil:
		info.known, info.kind, info.channel = true, importers.Kind(f.Mapping.Kind), f.Mapping.Channel
	default:
		info.known, info.kind, info.channel = false, "", ""
	}
}

// useMapping records a mapping the owner just saved for the file.
func (info *fileInfo) useMapping(m data.ColumnMapping) {
	info.mapping = &m
	info.known, info.kind, info.channel = true, importers.Kind(m.Kind), m.Channel
	info.formatID, info.formatName = "mapped:"+m.Name, m.Name+" (your column mapping)"
}

// importFile reads the file again and imports it, counting the bytes read into read for the progress
// bar. A cancelled ctx stops it between records, and the store then writes nothing.
func importFile(ctx context.Context, store *data.Store, src importSource, info fileInfo, opt data.ImportOptions, read *atomic.Int64) (data.ImportResult, error) {
	rc, err := src.open()
	if err != nil {
		return data.ImportResult{}, fileError{fmt.Errorf("open %s: %w", src.name, err)}
	}
	defer rc.Close()
	f, err := importers.Open(&countingReader{ctx: ctx, r: rc, n: read}, src.name, importers.Options{Currency: info.currency, Location: time.Local})
	if err != nil {
		if ctx.Err() != nil {
			return data.ImportResult{}, ctx.Err()
		}
		return data.ImportResult{}, fileError{err}
	}
	defer f.Close()
	if f.Format == nil {
		if info.mapping == nil {
			return data.ImportResult{}, fmt.Errorf("import %s: %w", src.name, importers.ErrUnknownLayout)
		}
		if err := f.UseMapping(*info.mapping); err != nil {
			return data.ImportResult{}, fileError{err}
		}
	}
	file := data.ImportFile{Name: src.name, Size: info.size, SHA256: info.sha256, Format: f.FormatID()}
	items := func(yield func(data.ImportItem) bool) {
		for it := range f.Items(ctx) {
			if it.Err != nil && ctx.Err() == nil {
				it.Err = fileError{it.Err}
			}
			if !yield(it) {
				return
			}
		}
	}
	return store.Import(ctx, file, items, opt)
}

// countingReader counts what is read through it and stops reading once ctx is cancelled, so a
// cancelled import does not read on to the end of a large file.
type countingReader struct {
	ctx context.Context
	r   io.Reader
	n   *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if c.n != nil {
		c.n.Add(int64(n))
	}
	return n, err
}

// fileSize writes a byte count for people: 12 KB, 3.4 MB.
func fileSize(n int64) string {
	switch {
	case n < 1000:
		return plural(int(n), "byte", "bytes")
	case n < 1000*1000:
		return fmt.Sprintf("%d KB", (n+500)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// kindNoun is what a file of this kind holds, for counts: orders, products, stock counts.
func kindNoun(k importers.Kind) string {
	switch k {
	case importers.KindProducts:
		return "products"
	case importers.KindStock:
		return "stock counts"
	}
	return "orders"
}

// noChanges is resultCounts of an import that changed nothing.
const noChanges = "no changes"

// resultCounts says what an import wrote, or would write: "3 new orders, 1 updated, 2 unchanged (9
// lines, 1 with an unknown SKU)". Counts that are zero are left out.
func resultCounts(r data.ImportResult) string {
	var parts []string
	add := func(n int, s string) {
		if n > 0 {
			parts = append(parts, s)
		}
	}
	orders := r.OrdersNew + r.OrdersUpdated + r.OrdersUnchanged
	if orders > 0 {
		add(r.OrdersNew, plural(r.OrdersNew, "new order", "new orders"))
		add(r.OrdersUpdated, fmt.Sprintf("%s updated", plural(r.OrdersUpdated, "order", "orders")))
		add(r.OrdersUnchanged, fmt.Sprintf("%s unchanged", plural(r.OrdersUnchanged, "order", "orders")))
		lines := plural(r.Lines, "order line", "order lines")
		if r.Unmatched > 0 {
			lines += fmt.Sprintf(", %s with an unknown SKU", groupDigits(int64(r.Unmatched)))
		}
		parts[len(parts)-1] += " (" + lines + ")"
	}
	add(r.ProductsNew, plural(r.ProductsNew, "new product", "new products"))
	add(r.ProductsUpdated, fmt.Sprintf("%s updated", plural(r.ProductsUpdated, "product", "products")))
	add(r.ProductsUnchanged, fmt.Sprintf("%s unchanged", plural(r.ProductsUnchanged, "product", "products")))
	add(r.Held, fmt.Sprintf("%s held for the owner, as %s would change a locked period (Exports, Export log and locks)",
		plural(r.Held, "order", "orders"), pluralWord(r.Held, "it", "they")))
	add(r.StockCounted, fmt.Sprintf("a new stock count for %s", plural(r.StockCounted, "SKU", "SKUs")))
	add(len(r.LocationsAdded), fmt.Sprintf("new %s: %s", pluralWord(len(r.LocationsAdded), "location", "locations"), strings.Join(r.LocationsAdded, ", ")))
	if len(parts) == 0 {
		return noChanges
	}
	return strings.Join(parts, ", ")
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// errorRows counts the rows that have errors: a row with two bad cells is one row to skip.
func errorRows(ps []data.Problem) int {
	rows := map[int]bool{}
	for _, p := range ps {
		if !p.Warning {
			rows[p.Row] = true
		}
	}
	return len(rows)
}

// problemRows lists a result's errors then warnings, each group in file order.
func problemRows(file string, ps ...[]data.Problem) []problemRow {
	var out []problemRow
	for _, group := range ps {
		sorted := append([]data.Problem(nil), group...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Row < sorted[j].Row })
		for _, p := range sorted {
			out = append(out, problemRow{n: len(out), file: file, Problem: p})
		}
	}
	return out
}

// newProblemTable is the table of a file's errors and warnings: file, row, column, value and reason.
func newProblemTable(a *App) *pagedTable[problemRow] {
	pt := newPagedTable(a, "problems", []column[problemRow]{
		{title: "", width: 80, text: func(p problemRow) string {
			if p.Warning {
				return "Warning"
			}
			return "Error"
		}, style: func(p problemRow) widget.Importance {
			if p.Warning {
				return widget.WarningImportance
			}
			return widget.DangerImportance
		}},
		{title: "File", width: 140, grow: 1, drop: 1, text: func(p problemRow) string { return p.file }},
		{title: "Row", width: 60, align: fyne.TextAlignTrailing, text: func(p problemRow) string {
			if p.Row == 0 {
				return "–"
			}
			return groupDigits(int64(p.Row))
		}},
		{title: "Column", width: 130, grow: 1, text: func(p problemRow) string { return p.Column }},
		{title: "Value", width: 110, grow: 1, text: func(p problemRow) string { return p.Value }},
		{title: "Reason", width: 280, grow: 6, text: func(p problemRow) string { return p.Reason }},
	}, func(p problemRow) string { return fmt.Sprint(p.n) })
	pt.emptyText = "No problems."
	return pt
}

// problemPanel is a problem table with the whole of the chosen problem written out under it: a long
// reason or value does not fit its column.
func problemPanel(pt *pagedTable[problemRow]) fyne.CanvasObject {
	detail := widget.NewLabel("")
	detail.Wrapping = fyne.TextWrapWord
	detail.Hide()
	box := container.NewVBox(detail)
	pt.onSelected = func(p problemRow) {
		detail.SetText(fmt.Sprintf("%s, %s", p.file, p.Problem.String()))
		detail.Importance = widget.DangerImportance
		if p.Warning {
			detail.Importance = widget.WarningImportance
		}
		detail.Show()
		box.Refresh()
	}
	return container.NewBorder(nil, box, nil, nil, pt.view())
}

// setProblems shows a fixed list in a problem table.
func setProblems(pt *pagedTable[problemRow], rows []problemRow) {
	pt.setSource(pageSource[problemRow]{
		count: func(context.Context) (int, error) { return len(rows), nil },
		page: func(_ context.Context, q pageQuery) ([]problemRow, error) {
			return rows[q.offset:min(q.offset+q.limit, len(rows))], nil
		},
	})
}

// previewTable shows a file's header and first rows as the importer read them, with the spreadsheet's
// row numbers, so the owner recognises the file and sees what a problem's row number points at.
type previewTable struct {
	header []string
	rows   []importers.Row
	cols   []int // the file's columns on display: those with a value in the preview
	table  *widget.Table
}

func newPreviewTable() *previewTable {
	p := &previewTable{}
	p.table = &widget.Table{
		Length: func() (int, int) { return len(p.rows), len(p.cols) + 1 },
		CreateCell: func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		UpdateCell: func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			text := ""
			if id.Row < len(p.rows) {
				r := p.rows[id.Row]
				if id.Col == 0 {
					text = fmt.Sprint(r.Num)
				} else if id.Col-1 < len(p.cols) {
					text = r.Cell(p.cols[id.Col-1])
				}
			}
			l.Importance = widget.MediumImportance
			if id.Col == 0 {
				l.Importance = widget.LowImportance
			}
			l.Alignment = fyne.TextAlignLeading
			if id.Col == 0 {
				l.Alignment = fyne.TextAlignTrailing
			}
			l.SetText(oneLine(text))
		},
		ShowHeaderRow: true,
		CreateHeader: func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.TextStyle.Bold = true
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		UpdateHeader: func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			switch {
			case id.Col == 0:
				l.SetText("Row")
			case id.Col-1 < len(p.cols):
				l.SetText(p.header[p.cols[id.Col-1]])
			default:
				l.SetText("")
			}
		},
	}
	p.table.ExtendBaseWidget(p.table)
	return p
}

// set shows a file's preview. Columns empty in every previewed row are left out (a Shopify export has
// 79 columns, most of them blank), so the ones that matter fit; each is as wide as its text, within
// limits, and the table scrolls sideways.
func (p *previewTable) set(header []string, rows []importers.Row) {
	p.header, p.rows, p.cols = header, rows, nil
	for i := range header {
		for _, r := range rows {
			if strings.TrimSpace(r.Cell(i)) != "" {
				p.cols = append(p.cols, i)
				break
			}
		}
	}
	if len(rows) == 0 {
		for i := range header {
			p.cols = append(p.cols, i)
		}
	}
	p.table.SetColumnWidth(0, 56)
	for j, i := range p.cols {
		n := utf8.RuneCountInString(header[i])
		for _, r := range rows {
			n = max(n, utf8.RuneCountInString(oneLine(r.Cell(i))))
		}
		p.table.SetColumnWidth(j+1, float32(min(max(n, 5), 30))*8+24)
	}
	p.table.Refresh()
	p.table.ScrollToTop()
	p.table.ScrollToLeading()
}

// cellText is what the preview shows at a data row and column of the file (0 is the first column).
func (p *previewTable) cellText(row, col int) string { return p.rows[row].Cell(col) }

// oneLine keeps a multi-line cell (an address, a note) on one line of a table.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)), " ")
}

// downloadsFolder is where the file dialog opens: marketplace exports land in Downloads.
func downloadsFolder() fyne.ListableURI {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	dir := filepath.Join(home, "Downloads")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil
	}
	l, err := storage.ListerForURI(storage.NewFileURI(dir))
	if err != nil {
		return nil
	}
	return l
}

// chooseFile opens the file dialog for a spreadsheet and queues the file chosen.
func (sc *importsScreen) chooseFile() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		if rc == nil {
			return // closed without choosing
		}
		u := rc.URI()
		rc.Close()
		sc.addURIs([]fyne.URI{u})
	}, sc.a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".tsv", ".txt", ".xlsx"}))
	if dir := downloadsFolder(); dir != nil {
		d.SetLocation(dir)
	}
	d.Resize(fyne.NewSize(860, 560))
	d.Show()
}

// addURIs queues dropped or chosen files; folders are refused with a message.
func (sc *importsScreen) addURIs(uris []fyne.URI) {
	var srcs []importSource
	var folders []string
	for _, u := range uris {
		if ok, err := storage.CanList(u); err == nil && ok {
			folders = append(folders, u.Name())
			continue
		}
		srcs = append(srcs, uriSource(u))
	}
	if len(folders) > 0 {
		sc.setNote(fmt.Sprintf("%s is a folder; drop the files inside it instead.", strings.Join(folders, ", ")), widget.WarningImportance)
	}
	sc.addFiles(srcs...)
}

// addFiles queues files for import and starts reading each; the first of them goes on display.
func (sc *importsScreen) addFiles(srcs ...importSource) {
	if len(srcs) == 0 {
		return
	}
	sc.tabs.Select(sc.importTab)
	if !sc.canImport() {
		sc.setNote("Your role may not import files; ask the shop's owner.", widget.DangerImportance)
		return
	}
	first := len(sc.jobs)
	for _, src := range srcs {
		job := &importJob{src: src, state: jobReading}
		sc.jobs = append(sc.jobs, job)
		sc.read(job)
	}
	// The files just added go on display, unless the one on display is being imported.
	if sc.shown == nil || sc.shown.state != jobImporting {
		sc.showJob(sc.jobs[first])
	}
	sc.updateQueue()
}

// read hashes and previews a queued file in the background.
func (sc *importsScreen) read(job *importJob) {
	store := sc.a.store
	src := job.src
	run(sc.a.bg, func(ctx context.Context) (fileInfo, error) {
		return readFile(ctx, store, src)
	}, func(info fileInfo, err error) {
		if err != nil {
			job.state, job.err = jobFailed, err
		} else {
			job.state, job.info = jobReady, &info
		}
		sc.updateQueue()
		if sc.shown == job {
			sc.showJob(job)
			if job.state == jobReady && !info.known && sc.a.store.Can(data.PermImport) {
				sc.openMapping(job)
			}
		}
		if sc.batch {
			sc.continueBatch()
		}
	})
}

// showJob puts a file on display: its notices, format and preview, and its last result.
func (sc *importsScreen) showJob(job *importJob) {
	sc.shown = job
	sc.empty.Hide()
	sc.filePanel.Show()
	sc.fileName.SetText(job.src.name)
	sc.notice.Hide()
	sc.format.SetText("")
	sc.holds.SetText("")
	sc.previewBox.Hide()
	info := job.info
	switch {
	case job.state == jobReading:
		setMutedText(sc.fileMeta, "Reading the file…")
	case job.state == jobFailed:
		setMutedText(sc.fileMeta, "This file cannot be imported.")
		sc.setNotice(importErrorText(job.err), widget.DangerImportance)
	default:
		setMutedText(sc.fileMeta, fmt.Sprintf("· %s · %s · header on row %d", fileSize(info.size), info.layout, info.headerAt))
		if info.before != nil && !job.imported() {
			b := info.before
			sc.setNotice(fmt.Sprintf("Already imported on %s by %s: %s. Importing it again changes only what differs from Backroom now; no order is counted twice.",
				b.At.In(time.Local).Format("2 Jan 2006 at 15:04"), b.UserName, logCounts(*b)), widget.WarningImportance)
		} else if !info.known {
			sc.setNotice("Backroom does not know this layout. Map its columns once, and every file with the same columns will import without asking.",
				widget.WarningImportance)
		}
		sc.format.SetText(info.formatName)
		sc.format.Importance = widget.MediumImportance
		if !info.known {
			sc.format.Importance = widget.WarningImportance
		}
		sc.format.Refresh()
		what := ""
		if info.known {
			what = capitalized(kindNoun(info.kind))
			if info.channel != "" {
				what += " from " + channelLabel(info.channel)
			}
		}
		sc.holds.SetText(what)
		sc.preview.set(info.header, info.preview)
		title := fmt.Sprintf("First %s of the file", plural(len(info.preview), "row", "rows"))
		if hidden := len(info.header) - len(sc.preview.cols); hidden > 0 {
			title += fmt.Sprintf(" (%d of %d columns; %s empty in these rows)", len(sc.preview.cols), len(info.header),
				plural(hidden, "column is", "columns are"))
		}
		sc.previewTitle.SetText(title)
		sc.previewBox.Show()
	}
	sc.showResult(job)
	sc.updateButtons()
	sc.relayout()
}

// relayout lays the Import tab out again after parts of it were shown or hidden: a container does not
// notice when a child's visibility changes.
func (sc *importsScreen) relayout() {
	if sc.tabTop == nil {
		return
	}
	sc.fileTop.Refresh()
	sc.filePanel.Refresh()
	sc.tabTop.Refresh()
	sc.tabBody.Refresh()
	if sc.importTab != nil {
		sc.importTab.Content.Refresh()
	}
}

func (sc *importsScreen) setNotice(text string, imp widget.Importance) {
	sc.notice.SetText(text)
	sc.notice.Importance = imp
	sc.notice.Refresh()
	sc.notice.Show()
}

// setNote is a one-line message above the file, about the last thing done to the queue.
func (sc *importsScreen) setNote(text string, imp widget.Importance) {
	sc.note.SetText(text)
	sc.note.Importance = imp
	sc.note.Refresh()
	sc.note.Show()
	sc.relayout()
}

// problemsTitle heads a problem table: "2 errors and 1 warning in orders.csv".
func problemsTitle(file string, errs, warns int) string {
	var parts []string
	if errs > 0 {
		parts = append(parts, plural(errs, "error", "errors"))
	}
	if warns > 0 {
		parts = append(parts, plural(warns, "warning", "warnings"))
	}
	if len(parts) == 0 {
		return "No problems in " + file
	}
	return strings.Join(parts, " and ") + " in " + file
}

// logCounts is an import log entry's counts, for the already-imported notice and the history.
func logCounts(e data.ImportLogEntry) string {
	return resultCounts(data.ImportResult{OrdersNew: e.OrdersNew, OrdersUpdated: e.OrdersUpdated, OrdersUnchanged: e.OrdersUnchanged,
		Lines: e.Lines, Unmatched: e.Unmatched, ProductsNew: e.ProductsNew, ProductsUpdated: e.ProductsUpdated,
		ProductsUnchanged: e.ProductsUnchanged, StockCounted: e.StockCounted, Held: e.Held})
}

// showResult shows a job's last check or import: the summary, the problems and the offer to skip them.
func (sc *importsScreen) showResult(job *importJob) {
	sc.skip.Hide()
	sc.placeLocations.Hide()
	sc.problemsBox.Hide()
	sc.summary.Hide()
	switch {
	case job.state == jobImporting:
		sc.progressBox.Show()
		sc.updateProgress(job)
		sc.relayout()
		return
	case job.cancelled:
		sc.setSummary("Import cancelled. Nothing of this file was written.", widget.MediumImportance)
	case job.err != nil && job.state == jobDone:
		sc.setSummary("The import stopped: "+importErrorText(job.err)+" Nothing of this file was written.", widget.DangerImportance)
	case job.result != nil:
		r := *job.result
		noun := kindNoun(job.info.kind)
		switch {
		case job.dryRun && len(r.Errors) > 0:
			sc.setSummary(fmt.Sprintf("Checked; nothing was written. %s with errors would stop this file from importing; the valid %s would give %s.",
				plural(errorRows(r.Errors), "row", "rows"), noun, resultCounts(r)), widget.DangerImportance)
		case job.dryRun && resultCounts(r) == noChanges:
			sc.setSummary("Checked; nothing was written. Everything in the file is already in Backroom: importing it would change nothing.", widget.SuccessImportance)
		case job.dryRun:
			sc.setSummary("Checked; nothing was written. Importing would give "+resultCounts(r)+".", widget.SuccessImportance)
		case r.Rejected():
			sc.setSummary(fmt.Sprintf("Nothing was imported: %s %s errors, listed below. Fix them in the file and import it again, or import the valid %s and skip these.",
				plural(errorRows(r.Errors), "row", "rows"), pluralWord(errorRows(r.Errors), "has", "have"), noun), widget.DangerImportance)
		case r.Skipped > 0:
			sc.setSummary(fmt.Sprintf("Imported %s. Skipped %s with errors, listed below.", resultCounts(r),
				plural(r.Skipped, strings.TrimSuffix(noun, "s"), noun)), widget.WarningImportance)
		case resultCounts(r) == noChanges:
			sc.setSummary("Imported; everything in the file was already in Backroom, so nothing changed.", widget.SuccessImportance)
		default:
			sc.setSummary("Imported "+resultCounts(r)+".", widget.SuccessImportance)
		}
		if r.Committed && r.Unmatched > 0 {
			sc.summary.SetText(sc.summary.Text + " Map the unknown SKUs to yours on the Unmatched SKUs tab.")
		}
		if len(r.Errors) > 0 && (r.Rejected() || job.dryRun) && sc.canImport() {
			sc.skip.SetText(fmt.Sprintf("Import the valid %s and skip the %d listed", noun, errorRows(r.Errors)))
			sc.skip.Show()
		}
		if job.dryRun && len(r.LocationsAdded) > 0 && sc.canImport() {
			sc.placeLocations.SetText(pluralWord(len(r.LocationsAdded), "Say which location this is…", "Say which locations these are…"))
			sc.placeLocations.Show()
		}
		if len(r.Errors)+len(r.Warnings) > 0 {
			sc.problemsTitle.SetText(problemsTitle(job.src.name, len(r.Errors), len(r.Warnings)))
			setProblems(sc.problems, problemRows(job.src.name, r.Errors, r.Warnings))
			sc.problemsBox.Show()
		}
	}
	sc.progressBox.Hide()
	sc.split.Refresh()
	sc.relayout()
}

func (sc *importsScreen) setSummary(text string, imp widget.Importance) {
	sc.summary.SetText(text)
	sc.summary.Importance = imp
	sc.summary.Refresh()
	sc.summary.Show()
}

// canImport reports whether the signed-in person may import: recording orders is the least an
// import does; the store checks products and stock counts record by record.
func (sc *importsScreen) canImport() bool { return sc.a.store.Can(data.PermImport) }

// updateButtons enables what the file on display allows.
func (sc *importsScreen) updateButtons() {
	job := sc.shown
	ready := job != nil && job.state == jobReady || job != nil && job.state == jobDone && job.info != nil
	known := ready && job.info.known
	setEnabled(sc.check, known && sc.canImport())
	setEnabled(sc.importButton, known && sc.canImport())
	setEnabled(sc.mapButton, ready && job.info.mapping != nil || ready && !job.info.known)
	if ready && !job.info.known {
		sc.mapButton.SetText("Map columns…")
		sc.mapButton.Importance = widget.HighImportance
	} else {
		sc.mapButton.SetText("Change mapping…")
		sc.mapButton.Importance = widget.MediumImportance
	}
	sc.mapButton.Refresh()
	if job == nil || job.info == nil || job.info.mapping == nil && job.info.known {
		sc.mapButton.Hide()
	} else {
		sc.mapButton.Show()
	}
	setEnabled(sc.choose, sc.canImport())
	waiting := sc.waiting()
	if waiting > 1 {
		sc.importAll.SetText(fmt.Sprintf("Import all %d files", waiting))
		sc.importAll.Show()
	} else {
		sc.importAll.Hide()
	}
	setEnabled(sc.importAll, !sc.batch && sc.running() == nil)
	if sc.running() != nil {
		sc.check.Disable()
		sc.importButton.Disable()
		sc.mapButton.Disable()
	}
}

// waiting counts the files Import all would import: read or being read, in a layout Backroom reads,
// not imported before, and not tried yet.
func (sc *importsScreen) waiting() int {
	n := 0
	for _, j := range sc.jobs {
		if j.state == jobReading || j.importable() {
			n++
		}
	}
	return n
}

// running is the job being imported, if any: one import runs at a time.
func (sc *importsScreen) running() *importJob {
	for _, j := range sc.jobs {
		if j.state == jobImporting {
			return j
		}
	}
	return nil
}

// onImport imports the file on display, after saying so when the same bytes were imported before.
func (sc *importsScreen) onImport() {
	job := sc.shown
	if job == nil || job.info == nil {
		return
	}
	if job.info.before != nil {
		b := job.info.before
		dialog.ShowConfirm("Import this file again?",
			fmt.Sprintf("%s was already imported on %s by %s. Importing it again changes only what differs; "+
				"orders already in Backroom are not counted twice.", job.src.name, b.At.In(time.Local).Format("2 Jan 2006 at 15:04"), b.UserName),
			func(ok bool) {
				if ok {
					sc.start(job, data.ImportOptions{})
				}
			}, sc.a.win)
		return
	}
	sc.start(job, data.ImportOptions{})
}

// start checks or imports a file in the background, with a progress bar driven by the bytes read and
// a Cancel button. A cancelled import writes nothing.
func (sc *importsScreen) start(job *importJob, opt data.ImportOptions) {
	if job.info == nil || !job.info.known || sc.running() != nil {
		return
	}
	if opt.Locations == nil {
		opt.Locations = job.locations
	}
	ctx, cancel := context.WithCancel(sc.a.bg.ctx)
	job.state, job.cancel, job.cancelled, job.err, job.dryRun = jobImporting, cancel, false, nil, opt.DryRun
	job.read.Store(0)
	store, src, info := sc.a.store, job.src, *job.info
	if sc.shown == job {
		sc.showResult(job)
	}
	verb := "Importing "
	if opt.DryRun {
		verb = "Checking "
	}
	sc.progressLabel.SetText(verb + src.name + "…")
	sc.progress.SetValue(0)
	sc.progressBytes.SetText("")
	sc.cancel.Enable()
	sc.updateButtons()
	sc.updateQueue()
	run(sc.a.bg, func(context.Context) (data.ImportResult, error) {
		defer cancel()
		return importFile(ctx, store, src, info, opt, &job.read)
	}, func(r data.ImportResult, err error) {
		job.cancel = nil
		job.state = jobDone
		job.result = nil
		switch {
		case isCancelled(err), err != nil && ctx.Err() != nil:
			// A cancel can also surface as the store finding its transaction already rolled back.
			job.cancelled = true
		case err != nil:
			job.err = err
		default:
			job.result = &r
			if r.Committed && !opt.DryRun {
				// Importing the same file again now asks first, as a file imported earlier does.
				job.info.before = &data.ImportLogEntry{ID: r.LogID, At: time.Now(), UserName: store.User().Name,
					OrdersNew: r.OrdersNew, OrdersUpdated: r.OrdersUpdated, OrdersUnchanged: r.OrdersUnchanged, Lines: r.Lines,
					Unmatched: r.Unmatched, ProductsNew: r.ProductsNew, ProductsUpdated: r.ProductsUpdated,
					ProductsUnchanged: r.ProductsUnchanged, StockCounted: r.StockCounted, Held: r.Held}
			}
		}
		if !opt.DryRun && err == nil {
			sc.a.changed() // reloads this screen's lists (history, unmatched lines) when it is on display
			if r.Committed {
				sc.a.backups.afterImport()
			}
		}
		if sc.shown == job {
			sc.showResult(job)
		}
		sc.updateButtons()
		sc.updateQueue()
		if sc.batch {
			sc.continueBatch()
		}
	})
	sc.pollProgress(job)
}

// pollProgress moves the progress bar while job runs. The import only counts bytes; the bar reads the
// count every tenth of a second, so the import never waits for the screen.
func (sc *importsScreen) pollProgress(job *importJob) {
	run(sc.a.bg, func(ctx context.Context) (struct{}, error) {
		t := time.NewTimer(100 * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		return struct{}{}, nil
	}, func(struct{}, error) {
		if job.state != jobImporting {
			return
		}
		if sc.shown == job {
			sc.updateProgress(job)
		}
		sc.pollProgress(job)
	})
}

func (sc *importsScreen) updateProgress(job *importJob) {
	read, size := job.read.Load(), int64(0)
	if job.info != nil {
		size = job.info.size
	}
	if size > 0 {
		sc.progress.SetValue(min(1, float64(read)/float64(size)))
		sc.progressBytes.SetText(fmt.Sprintf("%s of %s read", fileSize(min(read, size)), fileSize(size)))
	}
}

// onCancel stops the running import; the store rolls it back.
func (sc *importsScreen) onCancel() {
	if job := sc.running(); job != nil && job.cancel != nil {
		job.cancel()
		sc.progressLabel.SetText("Cancelling…")
		sc.cancel.Disable()
	}
}

// onImportAll imports every waiting file one after another. A file that needs the owner (a column
// mapping, errors, an earlier import of the same bytes) is left waiting with its reason, and the
// others go on.
func (sc *importsScreen) onImportAll() {
	sc.batch = true
	sc.updateButtons()
	sc.continueBatch()
}

func (sc *importsScreen) continueBatch() {
	if sc.running() != nil {
		return
	}
	for _, j := range sc.jobs {
		if j.state == jobReading {
			return // its turn comes when it has been read
		}
		if j.importable() {
			sc.showJob(j)
			sc.start(j, data.ImportOptions{})
			return
		}
	}
	sc.batch = false
	sc.updateButtons()
	done, left := 0, 0
	for _, j := range sc.jobs {
		if j.state == jobDone && j.result != nil && j.result.Committed {
			done++
		} else if j.state != jobDone || j.result == nil || !j.result.Committed {
			left++
		}
	}
	msg := fmt.Sprintf("Imported %s.", plural(done, "file", "files"))
	if left > 0 {
		msg += fmt.Sprintf(" %s need you: choose one in the list to see why.", plural(left, "file", "files"))
	}
	sc.setNote(msg, widget.MediumImportance)
}

// imported reports whether the job's last run wrote the file.
func (j *importJob) imported() bool { return j.result != nil && j.result.Committed && !j.dryRun }

// importable reports whether Import all takes a file: read, in a layout Backroom reads, not imported
// before, and not tried yet, or only checked without errors. Anything else needs the owner.
func (j *importJob) importable() bool {
	switch {
	case j.info == nil || !j.info.known || j.info.before != nil || j.cancelled || j.err != nil:
		return false
	case j.state == jobReady:
		return true
	}
	return j.state == jobDone && j.dryRun && j.result != nil && len(j.result.Errors) == 0
}

// onSkip imports the valid records of the file on display and leaves out the ones with errors.
func (sc *importsScreen) onSkip() {
	if job := sc.shown; job != nil {
		sc.start(job, data.ImportOptions{SkipInvalid: true})
	}
}

// jobStatus is a file's line in the queue.
func jobStatus(j *importJob) (string, widget.Importance) {
	switch j.state {
	case jobReading:
		return "Reading…", widget.LowImportance
	case jobFailed:
		return "Cannot be imported", widget.DangerImportance
	case jobImporting:
		if j.dryRun {
			return "Checking…", widget.MediumImportance
		}
		return "Importing…", widget.MediumImportance
	case jobReady:
		switch {
		case !j.info.known:
			return "Needs its columns mapped", widget.WarningImportance
		case j.info.before != nil:
			return "Imported before", widget.WarningImportance
		}
		return "Ready to import", widget.MediumImportance
	}
	switch {
	case j.cancelled:
		return "Cancelled", widget.MediumImportance
	case j.err != nil:
		return "Stopped with an error", widget.DangerImportance
	case j.result == nil:
		return "", widget.MediumImportance
	case j.dryRun && len(j.result.Errors) > 0:
		return fmt.Sprintf("Checked: %s", plural(len(j.result.Errors), "error", "errors")), widget.DangerImportance
	case j.dryRun:
		return "Checked: no errors", widget.SuccessImportance
	case j.result.Rejected():
		return fmt.Sprintf("Not imported: %s", plural(len(j.result.Errors), "error", "errors")), widget.DangerImportance
	case j.result.Skipped > 0:
		return fmt.Sprintf("Imported, %d skipped", j.result.Skipped), widget.WarningImportance
	}
	return "Imported", widget.SuccessImportance
}

// updateQueue redraws the list of files, shown when there is more than one.
func (sc *importsScreen) updateQueue() {
	if len(sc.jobs) > 1 {
		sc.queueBox.Show()
	} else {
		sc.queueBox.Hide()
	}
	sc.queue.Refresh()
	for i, j := range sc.jobs {
		if j == sc.shown {
			sc.queue.Select(i)
		}
	}
	sc.updateButtons()
	sc.relayout()
}

// onClear forgets the files that are finished (imported, refused, unreadable), keeping the ones still
// waiting or running.
func (sc *importsScreen) onClear() {
	var keep []*importJob
	for _, j := range sc.jobs {
		checked := j.state == jobDone && j.dryRun && j.err == nil && !j.cancelled
		if j.state == jobReading || j.state == jobReady || j.state == jobImporting || checked {
			keep = append(keep, j)
		}
	}
	sc.jobs = keep
	sc.queue.UnselectAll()
	sc.note.Hide()
	if len(keep) > 0 {
		sc.showJob(keep[0])
	} else {
		sc.shown = nil
		sc.filePanel.Hide()
		sc.empty.Show()
	}
	sc.updateQueue()
}

// newImportTab builds the widgets of the Import tab.
func (sc *importsScreen) newImportTab() {
	sc.choose = widget.NewButtonWithIcon("Choose file…", theme.FolderOpenIcon(), sc.chooseFile)
	sc.choose.Importance = widget.HighImportance
	sc.note = widget.NewLabel("")
	sc.note.Wrapping = fyne.TextWrapWord
	sc.note.Hide()

	sc.queue = widget.NewList(func() int { return len(sc.jobs) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("orders_export_1.csv")
			name.Truncation = fyne.TextTruncateEllipsis
			status := widget.NewLabel("Needs its columns mapped")
			status.Truncation = fyne.TextTruncateEllipsis
			status.SizeName = theme.SizeNameCaptionText
			return container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), nil,
				container.New(&tightRows{}, name, status))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(sc.jobs) {
				return
			}
			j := sc.jobs[id]
			lines := o.(*fyne.Container).Objects[0].(*fyne.Container)
			lines.Objects[0].(*widget.Label).SetText(j.src.name)
			status := lines.Objects[1].(*widget.Label)
			text, imp := jobStatus(j)
			status.Text, status.Importance = text, imp
			status.Refresh()
		})
	sc.queue.OnSelected = func(id widget.ListItemID) {
		if id < len(sc.jobs) && sc.jobs[id] != sc.shown {
			sc.showJob(sc.jobs[id])
		}
	}
	clear := widget.NewButtonWithIcon("Clear finished", theme.ContentClearIcon(), sc.onClear)
	clear.Importance = widget.LowImportance
	sc.queueBox = container.NewBorder(nil, nil, nil, widget.NewSeparator(), fixedWidth(container.NewBorder(
		container.NewVBox(widget.NewSeparator(), widget.NewLabelWithStyle("Files", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})),
		container.NewHBox(clear), nil, nil, sc.queue), 250))
	sc.queueBox.Hide()

	sc.fileName = detailHeading("")
	sc.fileMeta = mutedLine("")
	sc.notice = widget.NewLabel("")
	sc.notice.Wrapping = fyne.TextWrapWord
	sc.notice.Hide()
	sc.format = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.holds = widget.NewLabel("")

	sc.mapButton = widget.NewButtonWithIcon("Map columns…", theme.ListIcon(), func() {
		if sc.shown != nil && sc.shown.info != nil {
			sc.openMapping(sc.shown)
		}
	})
	sc.check = widget.NewButtonWithIcon("Check file", theme.SearchIcon(), func() {
		if sc.shown != nil {
			sc.start(sc.shown, data.ImportOptions{DryRun: true})
		}
	})
	sc.importButton = widget.NewButtonWithIcon("Import", theme.DownloadIcon(), sc.onImport)
	sc.importButton.Importance = widget.HighImportance
	sc.importAll = widget.NewButtonWithIcon("Import all", theme.MediaFastForwardIcon(), sc.onImportAll)
	sc.importAll.Hide()

	sc.progress = widget.NewProgressBar()
	sc.progressLabel = widget.NewLabel("")
	sc.progressBytes = widget.NewLabel("")
	sc.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), sc.onCancel)
	sc.progressBox = container.NewVBox(
		container.NewBorder(nil, nil, nil, sc.progressBytes, sc.progressLabel),
		container.NewBorder(nil, nil, nil, sc.cancel, sc.progress))
	sc.progressBox.Hide()

	sc.summary = widget.NewLabel("")
	sc.summary.Wrapping = fyne.TextWrapWord
	sc.summary.Hide()
	sc.skip = widget.NewButtonWithIcon("Import the valid rows and skip these", theme.ConfirmIcon(), sc.onSkip)
	sc.skip.Importance = widget.WarningImportance
	sc.skip.Hide()

	sc.preview = newPreviewTable()
	sc.previewTitle = widget.NewLabelWithStyle("First rows of the file", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.problems = newProblemTable(sc.a)
	sc.problemsTitle = widget.NewLabelWithStyle("Problems", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// tightRows stacks a name over a caption with no gap, for two-line list rows.
type tightRows struct{}

func (tightRows) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height - 2*theme.Padding()
	}
	return s.AddWidthHeight(0, 2*theme.Padding())
}

func (tightRows) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for i, o := range objects {
		h := o.MinSize().Height
		if i > 0 {
			y -= 2 * theme.Padding()
		}
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
}

// canvasStrut is an invisible box that holds a container open at a size.
func canvasStrut(w, h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(w, h))
	return r
}

// importView lays out the Import tab: the drop zone, the queue of files and the file on display.
func (sc *importsScreen) importView() fyne.CanvasObject {
	drop := widget.NewLabelWithStyle("Drop spreadsheets anywhere on this window", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	dropZone := container.NewBorder(nil, nil, widget.NewIcon(theme.UploadIcon()), container.NewCenter(sc.choose),
		container.NewVBox(drop, mutedLine("CSV, TSV or Excel (.xlsx) exports, several at once if you like; they import one after another.")))

	var names []string
	for _, f := range importers.Formats() {
		names = append(names, f.Name)
	}
	emptyText := widget.NewLabel("Backroom recognises these exports by their column names: " + strings.Join(names, ", ") +
		". Any other spreadsheet imports after you tell Backroom once which column is the order number, the SKU, the quantity and so on.")
	emptyText.Wrapping = fyne.TextWrapWord
	emptyText.Alignment = fyne.TextAlignCenter
	sc.empty = container.NewCenter(fixedWidth(container.NewVBox(
		container.NewCenter(widget.NewLabelWithStyle("No file chosen yet", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})),
		emptyText,
		mutedText("You see the detected format and the first rows before anything is written, and a check tells you exactly what the import would do.")), 560))

	head := container.NewBorder(nil, nil, nil,
		container.NewCenter(container.NewHBox(sc.mapButton, sc.check, sc.importButton, sc.importAll)),
		container.NewVBox(sc.fileName, container.NewBorder(nil, nil, container.NewHBox(sc.format, sc.holds), nil, sc.fileMeta)))
	sc.previewBox = container.NewBorder(sc.previewTitle, nil, nil, nil, sc.preview.table)
	sc.placeLocations = widget.NewButtonWithIcon("Say which locations these are…", theme.HomeIcon(), sc.onPlaceLocations)
	sc.placeLocations.Hide()
	problemsHead := container.NewBorder(nil, nil, nil, container.NewHBox(sc.placeLocations, sc.skip), sc.problemsTitle)
	sc.problemsBox = container.NewBorder(problemsHead, nil, nil, nil, problemPanel(sc.problems))
	sc.problemsBox.Hide()
	sc.split = container.NewVSplit(sc.previewBox, sc.problemsBox)
	sc.split.Offset = 0.35
	sc.fileTop = container.NewVBox(widget.NewSeparator(), head, sc.notice, sc.progressBox, sc.summary)
	sc.filePanel = container.NewBorder(sc.fileTop, nil, nil, nil, sc.split)
	sc.filePanel.Hide()
	sc.tabTop = container.NewVBox(dropZone, sc.note)
	sc.tabBody = container.NewBorder(nil, nil, sc.queueBox, nil, container.NewPadded(container.NewStack(sc.empty, sc.filePanel)))
	return container.NewBorder(sc.tabTop, nil, nil, nil, sc.tabBody)
}
