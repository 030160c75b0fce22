package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers"
)

// historyLimit is how many imports the History tab lists: years of daily imports.
const historyLimit = 2000

// newHistoryTab builds the log of imports: when, who, which file, its format, the outcome and counts.
// Choosing one shows the problems the log kept for it.
func (sc *importsScreen) newHistoryTab() {
	names := map[string]string{}
	for _, f := range importers.Formats() {
		names[f.ID] = f.Name
	}
	formatName := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		if m, ok := strings.CutPrefix(id, "mapped:"); ok {
			return m + " (mapping)"
		}
		return id
	}
	sc.history = newPagedTable(sc.a, "imports", []column[data.ImportLogEntry]{
		{title: "When", width: 140, text: func(e data.ImportLogEntry) string { return e.At.In(time.Local).Format("2 Jan 2006 15:04") }},
		{title: "Who", width: 80, drop: 2, text: func(e data.ImportLogEntry) string { return e.UserName }},
		{title: "File", width: 160, grow: 2, text: func(e data.ImportLogEntry) string { return e.File.Name }},
		{title: "Format", width: 140, grow: 1, drop: 1, text: func(e data.ImportLogEntry) string { return formatName(e.File.Format) }},
		{title: "Outcome", width: 120, text: func(e data.ImportLogEntry) string { return outcomeLabel(e.Outcome) },
			style: func(e data.ImportLogEntry) widget.Importance {
				switch e.Outcome {
				case "rejected":
					return widget.DangerImportance
				case "partial":
					return widget.WarningImportance
				}
				return widget.SuccessImportance
			}},
		{title: "Result", width: 200, grow: 3, text: historyCounts},
	}, func(e data.ImportLogEntry) string { return fmt.Sprint(e.ID) })
	sc.history.emptyText = "Nothing has been imported yet."
	sc.history.onSelected = sc.showHistoryEntry
	sc.historyProblems = newProblemTable(sc.a)
	sc.historyTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.historyTitle.Truncation = fyne.TextTruncateEllipsis
}

func (sc *importsScreen) historyView() fyne.CanvasObject {
	sc.historyBox = container.NewBorder(sc.historyTitle, nil, nil, nil, problemPanel(sc.historyProblems))
	sc.historyBox.Hide()
	split := container.NewVSplit(sc.history.view(), sc.historyBox)
	split.Offset = 0.5
	sc.historySplit = split
	return container.NewBorder(
		sectionHeading("Imports so far", "Every file imported into this database, newest first, refused ones included. Choose one to see its problems."),
		nil, nil, nil, split)
}

// refreshHistory reloads the import log.
func (sc *importsScreen) refreshHistory() {
	store := sc.a.store
	var log []data.ImportLogEntry
	sc.history.setSource(pageSource[data.ImportLogEntry]{
		count: func(ctx context.Context) (int, error) {
			var err error
			log, err = store.ImportLog(ctx, historyLimit)
			return len(log), err
		},
		page: func(_ context.Context, q pageQuery) ([]data.ImportLogEntry, error) {
			return log[q.offset:min(q.offset+q.limit, len(log))], nil
		},
	})
}

// showHistoryEntry lists the problems the log kept for one import.
func (sc *importsScreen) showHistoryEntry(e data.ImportLogEntry) {
	var errs, warns []data.Problem
	for _, p := range e.Problems {
		if p.Warning {
			warns = append(warns, p)
		} else {
			errs = append(errs, p)
		}
	}
	title := problemsTitle(e.File.Name, e.Errors, e.Warnings)
	if kept := len(e.Problems); kept < e.Errors+e.Warnings {
		title += fmt.Sprintf(" (the first %d kept)", kept)
	}
	sc.historyTitle.SetText(title)
	setProblems(sc.historyProblems, problemRows(e.File.Name, errs, warns))
	showPanel(sc.historySplit, sc.historyBox)
}

// outcomeLabel writes an import log outcome for people.
func outcomeLabel(o string) string {
	switch o {
	case "rejected":
		return "Not imported"
	case "partial":
		return "Partly"
	}
	return "Imported"
}

// historyCounts is a log entry's counts, with what it skipped or refused.
func historyCounts(e data.ImportLogEntry) string {
	switch e.Outcome {
	case "rejected":
		return plural(e.Errors, "error", "errors") + "; nothing written"
	case "partial":
		return fmt.Sprintf("%s; %d skipped", logCounts(e), e.Skipped)
	}
	return logCounts(e)
}
