package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// importsScreen is where outside data comes in: marketplace spreadsheets dropped on the window or
// chosen in a file dialog, previewed, checked and imported with a result and every problem listed; the
// queue of order lines whose item matched none of the shop's SKUs, where mapping one teaches Backroom the
// channel's name for it; the aliases learnt so far; and the log of every import.
type importsScreen struct {
	a *App

	tabs         *container.AppTabs
	importTab    *container.TabItem
	unmatchedTab *container.TabItem
	aliasesTab   *container.TabItem
	historyTab   *container.TabItem

	// The Import tab: the queue of files and the one on display (import_file.go).
	jobs  []*importJob
	shown *importJob
	batch bool // Import all is going through the queue

	choose        *widget.Button
	note          *widget.Label
	queue         *widget.List
	queueBox      *fyne.Container
	empty         fyne.CanvasObject
	tabTop        *fyne.Container
	tabBody       *fyne.Container
	filePanel     *fyne.Container
	fileTop       *fyne.Container
	fileName      *widget.Label
	fileMeta      *widget.RichText
	notice        *widget.Label
	format        *widget.Label
	holds         *widget.Label
	mapButton     *widget.Button
	check         *widget.Button
	importButton  *widget.Button
	importAll     *widget.Button
	progressBox   *fyne.Container
	progress      *widget.ProgressBar
	progressLabel *widget.Label
	progressBytes *widget.Label
	cancel        *widget.Button
	summary       *widget.Label
	skip          *widget.Button
	// placeLocations asks which of the shop's locations a checked file's new location names are.
	placeLocations  *widget.Button
	locationsDialog *dialog.ConfirmDialog
	locationPicks   map[string]*widget.Select
	split           *container.Split
	previewBox      *fyne.Container
	previewTitle    *widget.Label
	preview         *previewTable
	problemsBox     *fyne.Container
	problemsTitle   *widget.Label
	problems        *pagedTable[problemRow]

	// The column-mapping dialog of an unknown layout (import_mapping.go), kept for tests.
	mapping *mappingDialog

	// The History tab (import_history.go).
	history         *pagedTable[data.ImportLogEntry]
	historyProblems *pagedTable[problemRow]
	historyTitle    *widget.Label
	historyBox      *fyne.Container
	historySplit    *container.Split

	// The Unmatched SKUs and Aliases tabs.
	unmatched *pagedTable[data.UnmatchedLine]
	aliases   *pagedTable[data.Alias]
	chosen    *data.UnmatchedLine
	openOrder *widget.Button
	mapSKU    *widget.Button
	message   *widget.Label

	// The map dialog, kept for tests.
	mapDialog  *dialog.CustomDialog
	mapKey     *widget.RadioGroup
	mapTo      *widget.SelectEntry
	mapPack    *widget.Entry
	mapSave    *widget.Button
	mapMessage *widget.Label
	suggest    latest
}

func newImportsScreen(a *App) *importsScreen {
	sc := &importsScreen{a: a}
	sc.unmatched = newPagedTable(a, "lines", []column[data.UnmatchedLine]{
		{title: "Placed", width: 110, text: func(l data.UnmatchedLine) string { return l.PlacedAt.In(time.Local).Format("2 Jan 2006") }},
		{title: "Channel", width: 100, text: func(l data.UnmatchedLine) string { return channelLabel(l.Channel) }},
		{title: "Order", width: 120, grow: 1, text: func(l data.UnmatchedLine) string { return l.ExternalID }},
		{title: "Channel SKU", width: 120, grow: 1, text: func(l data.UnmatchedLine) string { return l.ChannelSKU }},
		{title: "Listing name", width: 180, grow: 3, text: func(l data.UnmatchedLine) string { return l.Name }},
		{title: "Qty", width: 50, align: fyne.TextAlignTrailing, text: func(l data.UnmatchedLine) string { return fmt.Sprint(l.Quantity) }},
		{title: "Order status", width: 120, text: func(l data.UnmatchedLine) string { return statusLabel(l.Status) },
			style: func(l data.UnmatchedLine) widget.Importance {
				if l.Status.Shipped() {
					return widget.DangerImportance // shipped, so stock is off until it is mapped
				}
				return widget.MediumImportance
			}},
	}, func(l data.UnmatchedLine) string { return fmt.Sprintf("%d:%d", l.OrderID, l.LineNo) })
	sc.unmatched.emptyText = "Every order line matches one of your SKUs."
	sc.unmatched.onSelected = func(l data.UnmatchedLine) {
		sc.chosen = &l
		sc.openOrder.Enable()
		sc.mapSKU.Enable()
	}

	sc.aliases = newPagedTable(a, "aliases", []column[data.Alias]{
		{title: "Channel", width: 110, text: func(al data.Alias) string { return channelLabel(al.Channel) }},
		{title: "Channel's SKU or listing name", width: 220, grow: 3, text: func(al data.Alias) string { return al.ChannelKey }},
		{title: "Your SKU", width: 120, grow: 1, text: func(al data.Alias) string { return al.SKU }},
		{title: "Units per item", width: 130, align: fyne.TextAlignTrailing, text: func(al data.Alias) string { return fmt.Sprint(al.Pack) }},
	}, func(al data.Alias) string { return al.Channel + "\x00" + strings.ToLower(al.ChannelKey) })
	sc.aliases.emptyText = "No aliases yet: every channel has used your own SKUs."
	sc.aliases.onSelected = func(al data.Alias) { sc.a.showSKU(al.SKU) }

	sc.openOrder = widget.NewButtonWithIcon("Open order", theme.NavigateNextIcon(), sc.onOpenOrder)
	sc.openOrder.Disable()
	sc.mapSKU = widget.NewButtonWithIcon("Map to SKU…", theme.ContentAddIcon(), sc.onMap)
	sc.mapSKU.Importance = widget.HighImportance
	sc.mapSKU.Disable()
	sc.message = widget.NewLabel("")
	sc.message.Importance = widget.SuccessImportance
	sc.message.Hide()
	sc.newImportTab()
	sc.newHistoryTab()
	return sc
}

func (sc *importsScreen) view() fyne.CanvasObject {
	header := screenHeader("Imports",
		"Bring in orders, products and stock counts from marketplace spreadsheets. Importing a file twice never counts an order twice.")
	queueHead := container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(sc.openOrder, sc.mapSKU)),
		sectionHeading("Unmatched order lines",
			"Items a channel sold under a SKU or name Backroom does not know. They reserve no stock until mapped; choose one, then map it."))
	queue := container.NewBorder(container.NewVBox(queueHead, sc.message), nil, nil, nil, sc.unmatched.view())
	aliases := container.NewBorder(
		sectionHeading("SKU aliases",
			"What each channel calls your SKUs. New orders with these names match automatically; choose one to see the SKU."),
		nil, nil, nil, sc.aliases.view())
	sc.importTab = container.NewTabItemWithIcon("Import files", theme.DownloadIcon(), container.NewPadded(sc.importView()))
	sc.unmatchedTab = container.NewTabItemWithIcon("Unmatched SKUs", theme.QuestionIcon(), container.NewPadded(queue))
	sc.aliasesTab = container.NewTabItemWithIcon("Aliases", theme.ContentCopyIcon(), container.NewPadded(aliases))
	sc.historyTab = container.NewTabItemWithIcon("History", theme.HistoryIcon(), container.NewPadded(sc.historyView()))
	sc.tabs = container.NewAppTabs(sc.importTab, sc.unmatchedTab, sc.aliasesTab, sc.historyTab)
	return container.NewPadded(container.NewBorder(header, nil, nil, nil, sc.tabs))
}

func (sc *importsScreen) refresh() {
	store := sc.a.store
	var lines []data.UnmatchedLine
	sc.unmatched.setSource(pageSource[data.UnmatchedLine]{
		count: func(ctx context.Context) (int, error) {
			var err error
			lines, err = store.UnmatchedLines(ctx, 0)
			n := len(lines)
			fyne.Do(func() { sc.setUnmatchedCount(n) })
			return len(lines), err
		},
		page: func(_ context.Context, q pageQuery) ([]data.UnmatchedLine, error) {
			return lines[q.offset:min(q.offset+q.limit, len(lines))], nil
		},
	})
	var aliases []data.Alias
	sc.aliases.setSource(pageSource[data.Alias]{
		count: func(ctx context.Context) (int, error) {
			var err error
			aliases, err = store.Aliases(ctx, "")
			return len(aliases), err
		},
		page: func(_ context.Context, q pageQuery) ([]data.Alias, error) {
			return aliases[q.offset:min(q.offset+q.limit, len(aliases))], nil
		},
	})
	sc.chosen = nil
	sc.openOrder.Disable()
	sc.mapSKU.Disable()
	sc.unmatched.markSelected("")
	sc.refreshHistory()
}

// setUnmatchedCount puts the number of waiting lines on the tab, so they are noticed from the Import tab.
func (sc *importsScreen) setUnmatchedCount(n int) {
	title := "Unmatched SKUs"
	if n > 0 {
		title = fmt.Sprintf("Unmatched SKUs (%s)", groupDigits(int64(n)))
	}
	if sc.unmatchedTab != nil && sc.unmatchedTab.Text != title {
		sc.unmatchedTab.Text = title
		sc.tabs.Refresh()
	}
}

// holds reports whether o is inside the container tree c.
func holds(c, o fyne.CanvasObject) bool {
	if c == o {
		return true
	}
	if box, ok := c.(*fyne.Container); ok {
		for _, child := range box.Objects {
			if holds(child, o) {
				return true
			}
		}
	}
	return false
}

// onDropped takes files dropped anywhere on the window to the Imports screen.
func (a *App) onDropped(_ fyne.Position, uris []fyne.URI) {
	if a.content == nil || len(uris) == 0 || !holds(a.win.Content(), a.content) {
		return // the welcome or sign-in screen: nobody to import as yet
	}
	if !a.canShow(sectionImports) {
		dialog.ShowInformation("Import files", "Only the shop's owner can import files.", a.win)
		return
	}
	if allMail(uris) {
		if sc, ok := a.show(sectionMail).(*mailScreen); ok {
			sc.readFiles(uris)
		}
		return
	}
	if sc, ok := a.show(sectionImports).(*importsScreen); ok {
		sc.addURIs(uris)
	}
}

func (sc *importsScreen) onOpenOrder() {
	if sc.chosen == nil {
		return
	}
	sc.a.showOrders(data.OrderFilter{Search: sc.chosen.ExternalID})
}

// onMap asks which SKU the chosen line is. When the channel gave both its own SKU and a listing name,
// the owner picks which one the alias should match; the channel's SKU is the safer default because
// listing names get edited.
func (sc *importsScreen) onMap() {
	if sc.chosen == nil {
		return
	}
	l := *sc.chosen
	var keys []string
	if k := strings.TrimSpace(l.ChannelSKU); k != "" {
		keys = append(keys, k)
	}
	if k := strings.TrimSpace(l.Name); k != "" && !strings.EqualFold(k, strings.TrimSpace(l.ChannelSKU)) {
		keys = append(keys, k)
	}
	sc.mapKey = widget.NewRadioGroup(keys, nil)
	sc.mapKey.Required = true
	sc.mapKey.SetSelected(keys[0])
	sc.mapTo = widget.NewSelectEntry(nil)
	sc.mapTo.SetPlaceHolder("Type part of a SKU or product name")
	sc.mapTo.OnChanged = func(text string) {
		debounce(sc.a.bg, &sc.suggest, 250*time.Millisecond, func() { sc.loadSuggestions(text) })
	}
	sc.mapTo.OnSubmitted = func(string) { sc.onMapSave() }
	sc.mapPack = widget.NewEntry()
	sc.mapPack.SetText("1")
	sc.mapPack.Validator = func(s string) error {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("a whole number, at least 1")
		}
		return nil
	}
	sc.mapMessage = widget.NewLabel("")
	sc.mapMessage.Importance = widget.DangerImportance
	sc.mapMessage.Wrapping = fyne.TextWrapWord
	what := widget.NewLabel(fmt.Sprintf("%s sold %d × %q on order %s.", channelLabel(l.Channel), l.Quantity, l.Key(), l.ExternalID))
	what.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("Match by", sc.mapKey),
		widget.NewFormItem("Your SKU", sc.mapTo),
		widget.NewFormItem("Units per item", sc.mapPack),
	)
	form.Items[2].HintText = "3 when the listing is a 3-pack of your SKU"
	note := mutedText("Every waiting " + channelLabel(l.Channel) + " line with this SKU or name is matched at once, " +
		"and future orders match by themselves. Orders that already shipped take their stock now.")
	sc.mapSave = widget.NewButtonWithIcon("Map", theme.ConfirmIcon(), sc.onMapSave)
	sc.mapSave.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { sc.mapDialog.Hide() })
	sc.mapDialog = dialog.NewCustomWithoutButtons("Map to one of your SKUs",
		fixedWidth(container.NewVBox(what, form, note, sc.mapMessage), 520), sc.a.win)
	sc.mapDialog.SetButtons([]fyne.CanvasObject{cancel, sc.mapSave})
	sc.mapDialog.Show()
	sc.a.win.Canvas().Focus(sc.mapTo)
	sc.loadSuggestions("")
}

// loadSuggestions offers SKUs matching what was typed, as "SKU · name".
func (sc *importsScreen) loadSuggestions(text string) {
	store := sc.a.store
	search := strings.TrimSpace(skuOfSuggestion(text))
	current := sc.suggest.next()
	run(sc.a.bg, func(ctx context.Context) ([]data.Variant, error) {
		return store.Variants(ctx, data.VariantFilter{Search: search, Limit: 15})
	}, func(vs []data.Variant, err error) {
		if err != nil || !current() || sc.mapTo == nil {
			return
		}
		opts := make([]string, len(vs))
		for i, v := range vs {
			opts[i] = v.SKU + " · " + v.Name()
		}
		sc.mapTo.SetOptions(opts)
	})
}

// skuOfSuggestion takes the SKU back out of a "SKU · name" suggestion, or returns what was typed.
func skuOfSuggestion(text string) string {
	if sku, _, ok := strings.Cut(text, " · "); ok {
		return strings.TrimSpace(sku)
	}
	return strings.TrimSpace(text)
}

func (sc *importsScreen) onMapSave() {
	if sc.chosen == nil {
		return
	}
	sku := skuOfSuggestion(sc.mapTo.Text)
	if sku == "" {
		sc.mapMessage.SetText("Choose the SKU this item is.")
		return
	}
	if err := sc.mapPack.Validate(); err != nil {
		sc.mapMessage.SetText("Units per item: " + err.Error() + ".")
		return
	}
	pack, _ := strconv.Atoi(strings.TrimSpace(sc.mapPack.Text))
	alias := data.Alias{Channel: sc.chosen.Channel, ChannelKey: sc.mapKey.Selected, SKU: sku, Pack: int64(pack)}
	store := sc.a.store
	sc.mapSave.Disable()
	run(sc.a.bg, func(ctx context.Context) (int, error) {
		return store.MapUnmatched(ctx, alias)
	}, func(n int, err error) {
		sc.mapSave.Enable()
		if err != nil {
			sc.mapMessage.SetText(data.UserMessage(err))
			return
		}
		sc.mapDialog.Hide()
		sc.message.SetText(fmt.Sprintf("%s “%s” is now %s: %s matched.", channelLabel(alias.Channel), alias.ChannelKey, sku,
			plural(n, "order line", "order lines")))
		sc.message.Show()
		sc.refresh()
	})
}
