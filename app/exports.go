package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/sheetcell"
	"github.com/backroom-app/backroom/data"
)

// exportsScreen saves the shop's figures as files other programs open: the accountant's workbook for a
// period (exports_accounts.go) and the order and stock lists as CSV.
type exportsScreen struct {
	a            *App
	accounts     *accountsExport
	tabs         *container.AppTabs
	exportOrders *widget.Button
	exportStock  *widget.Button
	orderCount   *widget.Label
	stockCount   *widget.Label
	result       *widget.Label
}

// The columns of each export, in file order; writeOrdersCSV and writeStockCSV write exactly these.
var (
	orderColumns = []string{"Order", "Channel", "Status", "Placed", "Paid", "Ship by", "Shipped", "Customer", "Email",
		"Country", "Items", "Currency", "Subtotal", "Shipping", "Tax", "Discount", "Total"}
	stockColumns = []string{"SKU", "Name", "Bin", "Active", "Kit", "On hand", "Reserved", "Available", "Currency", "Price"}
)

// exportPage is how many rows an export reads at a time, so a large shop never sits in memory at once.
const exportPage = 1000

func newExportsScreen(a *App) *exportsScreen {
	sc := &exportsScreen{a: a, accounts: newAccountsExport(a)}
	sc.exportOrders = widget.NewButtonWithIcon("Export orders as CSV…", theme.DocumentSaveIcon(), func() {
		sc.onExport("orders", "Exporting orders", writeOrdersCSV)
	})
	sc.exportOrders.Importance = widget.HighImportance
	sc.exportStock = widget.NewButtonWithIcon("Export stock as CSV…", theme.DocumentSaveIcon(), func() {
		sc.onExport("stock", "Exporting stock", writeStockCSV)
	})
	sc.exportStock.Importance = widget.HighImportance
	sc.orderCount = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.stockCount = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.result = widget.NewLabel("")
	sc.result.Wrapping = fyne.TextWrapWord
	sc.result.Hide()
	return sc
}

func (sc *exportsScreen) view() fyne.CanvasObject {
	header := screenHeader("Exports",
		"Save the books for your accountant, and your lists as files a spreadsheet opens.")
	stockCols := stockColumns
	if sc.a.store.Can(data.PermViewCosts) {
		stockCols = append(stockCols[:len(stockCols):len(stockCols)], "Unit cost")
	}
	card := func(title, text string, count *widget.Label, cols []string, button *widget.Button) fyne.CanvasObject {
		columns := widget.NewLabel("Columns: " + strings.Join(cols, ", ") + ".")
		columns.Wrapping = fyne.TextWrapWord
		return widget.NewCard(title, "", container.NewVBox(mutedText(text), count, columns, container.NewHBox(button)))
	}
	cards := container.NewGridWithColumns(2,
		card("Orders", "Every order from every channel, newest first, one row each.", sc.orderCount, orderColumns, sc.exportOrders),
		card("Stock", "Every SKU, switched-off ones included, by SKU, one row each.", sc.stockCount, stockCols, sc.exportStock))
	format := sectionHeading("About the files",
		"Comma-separated, one row per order or SKU, with a header row. Money is written as plain numbers "+
			"(12.50) next to a currency column, so sums work; dates as 2006-01-02 15:04 in this computer's time zone. "+
			"The file starts with a UTF-8 marker so Excel shows accents and symbols correctly.")
	lists := container.NewVScroll(container.NewPadded(container.NewVBox(cards, sc.result, format)))
	sc.accounts.workTab = container.NewTabItemWithIcon("Accountant's workbook", theme.DocumentIcon(), sc.accounts.workbookView())
	sc.accounts.logTab = container.NewTabItemWithIcon(logTabText, theme.HistoryIcon(), sc.accounts.logView())
	sc.tabs = container.NewAppTabs(sc.accounts.workTab, sc.accounts.logTab,
		container.NewTabItemWithIcon("Order and stock lists", theme.ListIcon(), lists))
	sc.accounts.tabs = sc.tabs
	return container.NewPadded(container.NewBorder(header, nil, nil, nil, sc.tabs))
}

// exportCounts is how much each export would write today.
type exportCounts struct{ orders, skus int }

// refresh shows the accountant's figures for the period on display and how many rows each list would have.
func (sc *exportsScreen) refresh() {
	sc.accounts.refresh()
	store := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (exportCounts, error) {
		var c exportCounts
		var err error
		if c.orders, err = store.CountOrders(ctx, data.OrderFilter{}); err != nil {
			return c, err
		}
		c.skus, err = store.CountVariants(ctx, "", true)
		return c, err
	}, func(c exportCounts, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.orderCount.SetText(plural(c.orders, "order", "orders") + " in the shop")
		sc.stockCount.SetText(plural(c.skus, "SKU", "SKUs") + " in the shop")
	})
}

// csvWriter is one export: it writes a whole list to w, reporting progress in [0, 1].
type csvWriter func(ctx context.Context, w io.Writer, s *data.Store, loc *time.Location, progress func(float64)) (int, error)

// onExport asks where to save, then writes the file in the background behind a progress dialog. A
// cancelled or failed export removes its half-written file.
func (sc *exportsScreen) onExport(noun, title string, write csvWriter) {
	store := sc.a.store
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		if wc == nil {
			return // the person closed the dialog
		}
		var rows int
		runWithProgress(sc.a.bg, sc.a.win, title, "Writing "+wc.URI().Name()+"…",
			func(ctx context.Context, progress func(float64)) error {
				n, err := write(ctx, wc, store, time.Local, progress)
				rows = n
				if cerr := wc.Close(); err == nil && cerr != nil {
					err = fmt.Errorf("close %s: %w", wc.URI().Name(), cerr)
				}
				if err != nil {
					_ = storage.Delete(wc.URI())
				}
				return err
			}, func(err error) {
				switch {
				case isCancelled(err):
					sc.result.SetText("Export cancelled; no file was kept.")
					sc.result.Importance = widget.MediumImportance
				case err != nil:
					showError(sc.a.win, err)
					return
				default:
					sc.result.SetText(fmt.Sprintf("Saved %s %s to %s", groupDigits(int64(rows)), noun, wc.URI().Path()))
					sc.result.Importance = widget.SuccessImportance
				}
				sc.result.Show()
				sc.result.Refresh()
			})
	}, sc.a.win)
	d.SetFileName(fmt.Sprintf("backroom-%s-%s.csv", noun, store.Now().In(time.Local).Format("2006-01-02")))
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	d.Resize(fyne.NewSize(860, 560))
	d.Show()
}

// utf8BOM starts every export: without it, Excel reads a CSV file as the local code page and garbles
// accents.
const utf8BOM = "\ufeff"

// writeOrdersCSV writes every order, newest first, reading them a page at a time. Times are written in
// loc; money as decimal numbers in the order's currency. It returns the number of orders written.
func writeOrdersCSV(ctx context.Context, w io.Writer, s *data.Store, loc *time.Location, progress func(float64)) (int, error) {
	total, err := s.CountOrders(ctx, data.OrderFilter{})
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(utf8BOM); err != nil {
		return 0, fmt.Errorf("write orders: %w", err)
	}
	cw := csv.NewWriter(bw)
	_ = cw.Write(orderColumns)
	n := 0
	for offset := 0; ; offset += exportPage {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		page, err := s.Orders(ctx, data.OrderFilter{Limit: exportPage, Offset: offset})
		if err != nil {
			return n, err
		}
		for _, o := range page {
			c := o.Currency
			_ = cw.Write(sheetcell.Row([]string{o.ExternalID, o.Channel, string(o.Status), csvTime(o.PlacedAt, loc), csvTime(o.PaidAt, loc),
				csvTime(o.ShipBy, loc), csvTime(o.ShippedAt, loc), o.CustomerName, o.CustomerEmail,
				o.ShipTo.Country, strconv.FormatInt(o.Items, 10), c, data.FormatDecimal(o.Subtotal, c), data.FormatDecimal(o.Shipping, c),
				data.FormatDecimal(o.Tax, c), data.FormatDecimal(o.Discount, c), data.FormatDecimal(o.Total, c)}))
		}
		n += len(page)
		if progress != nil && total > 0 {
			progress(float64(min(n, total)) / float64(total))
		}
		if len(page) < exportPage {
			break
		}
	}
	return n, flushCSV(cw, bw, "orders")
}

// writeStockCSV writes every SKU, active or not, by SKU. Unit costs are included only when the store's
// user may see costs. It returns the number of SKUs written.
func writeStockCSV(ctx context.Context, w io.Writer, s *data.Store, _ *time.Location, progress func(float64)) (int, error) {
	total, err := s.CountVariants(ctx, "", true)
	if err != nil {
		return 0, err
	}
	costs := s.Can(data.PermViewCosts)
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(utf8BOM); err != nil {
		return 0, fmt.Errorf("write stock: %w", err)
	}
	cw := csv.NewWriter(bw)
	head := append([]string(nil), stockColumns...)
	if costs {
		head = append(head, "Unit cost")
	}
	_ = cw.Write(head)
	n := 0
	for offset := 0; ; offset += exportPage {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		page, err := s.StockLevels(ctx, data.StockFilter{IncludeInactive: true, Sort: data.SortSKU, Limit: exportPage, Offset: offset})
		if err != nil {
			return n, err
		}
		cost := map[string]int64{}
		if costs && len(page) > 0 {
			// The same filter and order as the stock page, so one query fetches the page's costs.
			vs, err := s.Variants(ctx, data.VariantFilter{IncludeInactive: true, Limit: exportPage, Offset: offset})
			if err != nil {
				return n, err
			}
			for _, v := range vs {
				if v.Cost != nil {
					cost[strings.ToLower(v.SKU)] = *v.Cost
				}
			}
		}
		for _, l := range page {
			row := []string{l.SKU, l.Name, l.Bin, yesNo(l.Active), yesNo(l.Kit),
				strconv.FormatInt(l.OnHand, 10), strconv.FormatInt(l.Reserved, 10), strconv.FormatInt(l.Available, 10),
				l.Currency, data.FormatDecimal(l.Price, l.Currency)}
			if costs {
				c, ok := cost[strings.ToLower(l.SKU)]
				v := ""
				if ok {
					v = data.FormatDecimal(c, l.Currency)
				}
				row = append(row, v)
			}
			_ = cw.Write(sheetcell.Row(row))
		}
		n += len(page)
		if progress != nil && total > 0 {
			progress(float64(min(n, total)) / float64(total))
		}
		if len(page) < exportPage {
			break
		}
	}
	return n, flushCSV(cw, bw, "stock")
}

func flushCSV(cw *csv.Writer, bw *bufio.Writer, what string) error {
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

func csvTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
