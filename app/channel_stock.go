package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/stockexport"
	"github.com/backroom-app/backroom/data"
)

// channelStockScreen is the owner's guard against overselling: the SKUs a channel may sell more of than
// the shop has, and per channel how much of the stock it lists (the listing rule), what its next stock
// file would list and the file itself. The at-risk list compares with the last file saved, so saving a
// file is what tells Backroom what the channel now shows.
type channelStockScreen struct {
	a *App

	atRisk *pagedTable[data.AtRisk]
	tabs   *container.AppTabs
	panels []*channelPanel // one per data.StockChannels, in that order

	// saveAs asks where to save a file called name and hands the open file to done (nil when the person
	// closed the dialog). Tests replace it, because a file dialog cannot be driven headless.
	saveAs func(name string, done func(fyne.URIWriteCloser, error))
}

// channelPanel is one channel's tab: its listing rule, its last stock file and what the next one lists.
type channelPanel struct {
	sc          *channelStockScreen
	channel     string
	perLocation bool // Shopify's file has a row per SKU and location
	tab         *container.TabItem

	buffer, share, cap, endBelow *widget.Entry
	ruleWords                    *widget.RichText
	saveRule                     *widget.Button
	ruleMessage                  *widget.Label

	hint       *widget.RichText // where the channel takes the file
	lastExport *widget.Label
	saveFile   *widget.Button
	note       *widget.Label // on the file being saved or just saved, in place of hint

	summary   *widget.Label
	listings  *pagedTable[data.ChannelListing]
	loads     latest
	summaries latest // the summary is counted with the listings, apart from the rule's load

	// The parts whose height changes when a message shows, laid out again then.
	ruleScroll *container.Scroll
	right      *fyne.Container
}

func newChannelStockScreen(a *App) *channelStockScreen {
	sc := &channelStockScreen{a: a}
	danger := func(r data.AtRisk) widget.Importance {
		if r.Oversold {
			return widget.DangerImportance
		}
		return widget.MediumImportance
	}
	sc.atRisk = newPagedTable(a, "SKUs", []column[data.AtRisk]{
		{title: "SKU", width: 110, grow: 1, text: func(r data.AtRisk) string { return r.SKU }, style: danger},
		{title: "Name", width: 160, grow: 3, drop: 1, text: func(r data.AtRisk) string { return r.Name }},
		{title: "Sellable", width: 80, align: fyne.TextAlignTrailing, text: func(r data.AtRisk) string { return groupDigits(r.Sellable) }, style: danger},
		{title: "Channel", width: 110, text: func(r data.AtRisk) string { return cmpText(channelLabel(r.Channel), "–") }},
		{title: "Last listed", width: 100, align: fyne.TextAlignTrailing, text: func(r data.AtRisk) string {
			if r.Channel == "" {
				return "–"
			}
			return groupDigits(r.Listed)
		}},
		{title: "Oversold orders", width: 150, grow: 2, text: func(r data.AtRisk) string { return strings.Join(r.Orders, ", ") }, style: danger},
	}, func(r data.AtRisk) string { return r.SKU + "\x00" + r.Channel })
	sc.atRisk.emptyText = "Nothing at risk: every channel lists no more than you can sell."
	sc.atRisk.onSelected = sc.onAtRisk

	for _, ch := range data.StockChannels() {
		sc.panels = append(sc.panels, newChannelPanel(sc, ch))
	}
	sc.saveAs = sc.showSaveDialog
	return sc
}

func (sc *channelStockScreen) view() fyne.CanvasObject {
	header := screenHeader("Channel stock",
		"How much of your stock each channel shows, and the stock files that tell them.")
	risk := container.NewBorder(sectionHeading("At risk",
		"Listed on a channel above what you can sell (or at it, once a rule's margin is sold), by the last file saved, or held by more open orders than you have. Choose one to see why."),
		nil, nil, nil, sc.atRisk.view())
	var items []*container.TabItem
	for _, p := range sc.panels {
		p.tab = container.NewTabItem(channelLabel(p.channel), container.NewPadded(p.view()))
		items = append(items, p.tab)
	}
	sc.tabs = container.NewAppTabs(items...)
	sc.tabs.OnSelected = func(*container.TabItem) {
		if p := sc.panel(); p != nil {
			p.refresh()
		}
	}
	split := container.NewVSplit(risk, sc.tabs)
	split.Offset = 0.36
	return container.NewPadded(container.NewBorder(header, nil, nil, nil, split))
}

// refresh reloads the at-risk list and the channel on display.
func (sc *channelStockScreen) refresh() {
	sc.loadAtRisk()
	if p := sc.panel(); p != nil {
		p.refresh()
	}
}

// panel is the channel on display.
func (sc *channelStockScreen) panel() *channelPanel {
	if sc.tabs == nil {
		return nil
	}
	for _, p := range sc.panels {
		if p.tab == sc.tabs.Selected() {
			return p
		}
	}
	return nil
}

// showChannel puts a channel's tab on display.
func (sc *channelStockScreen) showChannel(channel string) {
	for _, p := range sc.panels {
		if p.channel == channel && sc.tabs != nil {
			sc.tabs.Select(p.tab)
		}
	}
}

func (sc *channelStockScreen) loadAtRisk() {
	store := sc.a.store
	var rows []data.AtRisk
	sc.atRisk.setSource(pageSource[data.AtRisk]{
		count: func(ctx context.Context) (int, error) {
			var err error
			rows, err = store.AtRisk(ctx)
			return len(rows), err
		},
		page: func(_ context.Context, q pageQuery) ([]data.AtRisk, error) {
			return rows[q.offset:min(q.offset+q.limit, len(rows))], nil
		},
	})
}

// onAtRisk opens the open orders holding an oversold SKU, or the channel that lists a SKU too high.
func (sc *channelStockScreen) onAtRisk(r data.AtRisk) {
	if len(r.Orders) > 0 {
		sc.a.showOrders(data.OrderFilter{Statuses: data.OpenStatuses(), Search: r.SKU})
		return
	}
	sc.showChannel(r.Channel)
}

func (sc *channelStockScreen) showSaveDialog(name string, done func(fyne.URIWriteCloser, error)) {
	d := dialog.NewFileSave(done, sc.a.win)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".txt"}))
	d.Resize(fyne.NewSize(860, 560))
	d.Show()
}

func newChannelPanel(sc *channelStockScreen, channel string) *channelPanel {
	p := &channelPanel{sc: sc, channel: channel, perLocation: stockexport.PerLocation(channel)}
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.OnSubmitted = func(string) { p.onSaveRule() }
		return e
	}
	p.buffer, p.share, p.cap, p.endBelow = entry("off"), entry("100"), entry("no limit"), entry("off")
	p.ruleWords = mutedText("")
	p.saveRule = widget.NewButtonWithIcon("Save rule", theme.DocumentSaveIcon(), p.onSaveRule)
	p.ruleMessage = widget.NewLabel("")
	p.ruleMessage.Wrapping = fyne.TextWrapWord
	p.ruleMessage.Hide()

	p.lastExport = widget.NewLabel("")
	p.lastExport.Truncation = fyne.TextTruncateEllipsis
	p.saveFile = widget.NewButtonWithIcon("Save stock file…", theme.DownloadIcon(), p.onSaveFile)
	p.saveFile.Importance = widget.HighImportance
	p.note = widget.NewLabel("")
	p.note.Wrapping = fyne.TextWrapWord
	p.note.Hide()
	p.hint = mutedText(uploadHint(channel))

	p.summary = widget.NewLabel("")
	p.summary.Truncation = fyne.TextTruncateEllipsis
	changed := func(l data.ChannelListing) widget.Importance {
		if listingChanged(l) {
			return widget.WarningImportance
		}
		return widget.MediumImportance
	}
	cols := []column[data.ChannelListing]{
		{title: "Channel SKU", width: 120, grow: 2, text: func(l data.ChannelListing) string { return l.ChannelSKU }, style: changed},
		{title: "Your SKU", width: 110, grow: 1, drop: 2, text: func(l data.ChannelListing) string { return l.SKU }},
		{title: "Name", width: 130, grow: 3, drop: 3, text: func(l data.ChannelListing) string {
			if l.Option != "" {
				return l.Name + " – " + l.Option
			}
			return l.Name
		}},
	}
	if p.perLocation {
		cols = append(cols, column[data.ChannelListing]{title: "Location", width: 100, grow: 1, drop: 1,
			text: func(l data.ChannelListing) string { return l.Location }})
	}
	cols = append(cols,
		column[data.ChannelListing]{title: "Pack", width: 50, align: fyne.TextAlignTrailing, text: func(l data.ChannelListing) string { return groupDigits(l.Pack) }},
		column[data.ChannelListing]{title: "Sellable", width: 75, align: fyne.TextAlignTrailing, text: func(l data.ChannelListing) string { return groupDigits(l.Sellable) }},
		column[data.ChannelListing]{title: "To list", width: 70, align: fyne.TextAlignTrailing, text: func(l data.ChannelListing) string { return groupDigits(l.Quantity) }, style: changed},
		column[data.ChannelListing]{title: "Last listed", width: 95, align: fyne.TextAlignTrailing, text: func(l data.ChannelListing) string {
			if l.LastExportAt.IsZero() {
				return "–"
			}
			return groupDigits(l.LastListed)
		}, style: changed},
	)
	p.listings = newPagedTable(sc.a, "listings", cols, func(l data.ChannelListing) string {
		return l.ChannelSKU + "\x00" + l.Location
	})
	p.listings.emptyText = "No active SKUs to list yet."
	return p
}

// listingChanged reports whether the next file would list something else than the last one did; a
// channel never exported has nothing to differ from.
func listingChanged(l data.ChannelListing) bool {
	return !l.LastExportAt.IsZero() && l.Quantity != l.LastListed
}

func (p *channelPanel) view() fyne.CanvasObject {
	form := widget.NewForm(
		widget.NewFormItem("Keep back", p.buffer),
		widget.NewFormItem("List % of stock", p.share),
		widget.NewFormItem("List at most", p.cap),
		widget.NewFormItem("List 0 below", p.endBelow),
	)
	// The message goes above the form, so it is in view on a short window.
	rule := container.NewVBox(sectionHeading("Listing rule", ""), p.ruleWords, p.ruleMessage, form,
		container.NewHBox(p.saveRule))
	// The file is what the owner comes for, so it heads the listings, in view whatever the window's
	// height; a note on the saved file takes the place of the upload hint, which it repeats.
	title := widget.NewLabelWithStyle("Stock file", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	fileHead := container.NewBorder(nil, nil, nil, container.NewCenter(p.saveFile),
		container.NewVBox(title, p.hint, p.note))
	top := container.NewVBox(fileHead, p.lastExport, p.summary)
	p.right = container.NewBorder(top, nil, nil, nil, p.listings.view())
	p.ruleScroll = container.NewVScroll(fixedWidth(rule, 300))
	split := container.NewHSplit(p.ruleScroll, container.NewPadded(p.right))
	split.Offset = 0.27
	return split
}

// uploadHint says where the channel takes the file.
func uploadHint(channel string) string {
	switch channel {
	case "shopify":
		return "Upload it at Products › Inventory › Import; it has a row per SKU and location."
	case "amazon":
		return "Upload it at Catalogue › Add products via upload › Upload your inventory file."
	case "ebay":
		return "Upload it at Seller Hub › Reports › Uploads; eBay matches listings by Custom label (SKU)."
	case "woocommerce":
		return "Upload it at Products › Import, with “Update existing products” ticked."
	case "etsy":
		return "Etsy takes no stock upload: the file has the columns of Etsy's listings download, for a bulk-edit tool or to update listings by hand."
	}
	return ""
}

// ruleText says what a rule lists, in words.
func ruleText(r data.ListingRule) string {
	var parts []string
	if r.Buffer > 0 {
		parts = append(parts, "keeps "+groupDigits(r.Buffer)+" back")
	}
	if r.SharePct > 0 && r.SharePct < 100 {
		if len(parts) > 0 {
			parts = append(parts, fmt.Sprintf("lists %d %% of the rest", r.SharePct))
		} else {
			parts = append(parts, fmt.Sprintf("lists %d %% of what you can sell", r.SharePct))
		}
	}
	if r.Cap > 0 {
		parts = append(parts, "at most "+groupDigits(r.Cap))
	}
	if r.EndBelow > 0 {
		parts = append(parts, "none while fewer than "+groupDigits(r.EndBelow)+" are sellable")
	}
	name := channelLabel(r.Channel)
	if len(parts) == 0 {
		return name + " lists everything you can sell."
	}
	if r.Buffer == 0 && (r.SharePct == 0 || r.SharePct == 100) {
		parts[0] = "lists " + parts[0]
	}
	text := strings.Join(parts, ", ")
	if i := strings.LastIndex(text, ", "); i >= 0 {
		text = text[:i] + " and " + text[i+2:]
	}
	return name + " " + text + "."
}

// refresh loads the channel's rule, its last file and its listings.
func (p *channelPanel) refresh() {
	store, channel, perLocation := p.sc.a.store, p.channel, p.perLocation
	type state struct {
		rule data.ListingRule
		last *data.StockExport
	}
	load(p.sc.a.bg, p.sc.a.win, &p.loads, func(ctx context.Context) (state, error) {
		st := state{rule: data.ListingRule{Channel: channel}}
		rules, err := store.ListingRules(ctx)
		if err != nil {
			return st, err
		}
		for _, r := range rules {
			if r.Channel == channel {
				st.rule = r
			}
		}
		exports, err := store.StockExports(ctx, channel)
		if len(exports) > 0 {
			st.last = &exports[0]
		}
		return st, err
	}, func(st state) {
		p.showRule(st.rule)
		if st.last == nil {
			p.lastExport.SetText("No file saved yet: the at-risk list has nothing to compare with for " + channelLabel(channel) + ".")
		} else {
			e := st.last
			p.lastExport.SetText(fmt.Sprintf("Last file: %s, %s by %s, %s.", filepath.Base(e.File),
				e.At.In(time.Local).Format("2 Jan 2006 15:04"), cmpText(e.User, "someone"), plural(e.Lines, "line", "lines")))
		}
	})
	var rows []data.ChannelListing
	current := p.summaries.next()
	p.listings.setSource(pageSource[data.ChannelListing]{
		count: func(ctx context.Context) (int, error) {
			var err error
			rows, err = store.ChannelListings(ctx, channel, perLocation)
			summary := listingsSummary(rows)
			fyne.Do(func() {
				if current() {
					p.summary.SetText(summary)
				}
			})
			return len(rows), err
		},
		page: func(_ context.Context, q pageQuery) ([]data.ChannelListing, error) {
			return rows[q.offset:min(q.offset+q.limit, len(rows))], nil
		},
	})
}

// listingsSummary is the line over the listings: how many, and how many the next file changes.
func listingsSummary(rows []data.ChannelListing) string {
	text := plural(len(rows), "listing", "listings")
	if len(rows) == 0 {
		return text + "."
	}
	if rows[0].LastExportAt.IsZero() {
		return text + "."
	}
	var changed int
	for _, l := range rows {
		if listingChanged(l) {
			changed++
		}
	}
	if changed == 0 {
		return text + ", all as the last file listed them."
	}
	return fmt.Sprintf("%s; %s from the last file (highlighted): save and upload a new file.", text, plural(changed, "differs", "differ"))
}

// showRule puts a rule in the form; 0 shows as empty, which means off.
func (p *channelPanel) showRule(r data.ListingRule) {
	text := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	p.buffer.SetText(text(r.Buffer))
	p.share.SetText(text(int64(r.SharePct)))
	p.cap.SetText(text(r.Cap))
	p.endBelow.SetText(text(r.EndBelow))
	setMutedText(p.ruleWords, ruleText(r))
}

// formRule reads the rule from the form; an empty box is 0, which is off.
func (p *channelPanel) formRule() (data.ListingRule, error) {
	r := data.ListingRule{Channel: p.channel}
	number := func(what, s string) (int64, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a whole number; leave it empty for off", what, s)
		}
		if n < 0 {
			return 0, fmt.Errorf("%s: %d is below 0; leave it empty for off", what, n)
		}
		return n, nil
	}
	var err error
	if r.Buffer, err = number("Keep back", p.buffer.Text); err != nil {
		return r, err
	}
	share, err := number("List % of stock", strings.TrimSuffix(strings.TrimSpace(p.share.Text), "%"))
	if err != nil {
		return r, err
	}
	if share > 100 {
		return r, fmt.Errorf("%s: %d is not a share; use 1 to 100, or leave it empty for all", "List % of stock", share)
	}
	r.SharePct = int(share)
	if r.Cap, err = number("List at most", p.cap.Text); err != nil {
		return r, err
	}
	if r.EndBelow, err = number("List 0 below", p.endBelow.Text); err != nil {
		return r, err
	}
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("%s", capitalized(data.UserMessage(err)))
	}
	return r, nil
}

func (p *channelPanel) say(l *widget.Label, text string, importance widget.Importance) {
	l.SetText(text)
	l.Importance = importance
	l.Show()
	if l == p.note {
		p.hint.Hide()
	}
	if p.right != nil {
		p.ruleScroll.Refresh()
		p.right.Refresh()
	}
}

func (p *channelPanel) onSaveRule() {
	r, err := p.formRule()
	if err != nil {
		p.say(p.ruleMessage, err.Error()+".", widget.DangerImportance)
		return
	}
	store := p.sc.a.store
	p.saveRule.Disable()
	run(p.sc.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.SetListingRule(ctx, r)
	}, func(_ struct{}, err error) {
		p.saveRule.Enable()
		if err != nil {
			p.say(p.ruleMessage, capitalized(data.UserMessage(err)), widget.DangerImportance)
			return
		}
		p.say(p.ruleMessage, "Saved. “To list” follows the new rule; save a stock file to send it.", widget.SuccessImportance)
		p.refresh()
		p.sc.loadAtRisk()
	})
}

// savedFile is what saving a stock file did.
type savedFile struct {
	path   string
	res    stockexport.Result
	logErr error // the file is written but the export is not logged
}

// onSaveFile asks where to save, then writes the channel's stock file from fresh store data the way
// "backroom export stock" does: written whole, then logged, so the at-risk list compares with it.
func (p *channelPanel) onSaveFile() {
	store, channel, perLocation := p.sc.a.store, p.channel, p.perLocation
	name := stockexport.FileName(channel, store.Now().In(time.Local))
	p.sc.saveAs(name, func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(p.sc.a.win, err)
			return
		}
		if wc == nil {
			return // the person closed the dialog
		}
		// The dialog has opened the file; it is written afresh beside it and renamed over it, so close it.
		uri := wc.URI()
		_ = wc.Close()
		if uri.Scheme() != "file" {
			p.say(p.note, "Choose a file on this computer for the stock file.", widget.DangerImportance)
			return
		}
		path := uri.Path()
		p.saveFile.Disable()
		p.say(p.note, "Saving the "+channelLabel(channel)+" stock file…", widget.MediumImportance)
		run(p.sc.a.bg, func(ctx context.Context) (savedFile, error) {
			s := savedFile{path: path}
			listings, err := store.ChannelListings(ctx, channel, perLocation)
			if err == nil {
				s.res, err = stockexport.WriteFile(path, channel, listings)
			}
			if err != nil {
				os.Remove(path) // the empty file the dialog made; nothing was logged
				return s, err
			}
			if _, err := store.LogStockExport(ctx, channel, path, listings); err != nil {
				s.logErr = fmt.Errorf("%s is written, but the export was not logged: %w", path, err)
			}
			return s, nil
		}, func(s savedFile, err error) {
			p.saveFile.Enable()
			if err != nil {
				p.note.Hide()
				p.hint.Show()
				showError(p.sc.a.win, err)
				return
			}
			if s.logErr != nil {
				p.say(p.note, "Saved to "+s.path+", but Backroom could not note it, so the at-risk list does not know of it. "+
					"Save the file again before uploading.", widget.DangerImportance)
				showError(p.sc.a.win, s.logErr)
				return
			}
			text := fmt.Sprintf("Saved %s to %s", plural(s.res.Listings, "listing", "listings"), s.path)
			if s.res.Zero > 0 {
				text += fmt.Sprintf(" (%s at 0)", plural(s.res.Zero, "SKU", "SKUs"))
			}
			p.say(p.note, text+". "+uploadHint(channel), widget.SuccessImportance)
			p.refresh()
			p.sc.loadAtRisk()
		})
	})
}
