package documents

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/data"
)

func testPO(lines int) (data.Supplier, data.PurchaseOrder) {
	sent := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	expected := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	sp := data.Supplier{Name: "Hollow Pottery Ltd", Contact: "Mara Quinn", Email: "orders@hollowpottery.example", Phone: "+44 1782 000000", Currency: "GBP"}
	po := data.PurchaseOrder{ID: 42, Number: "PO-00042", SupplierName: sp.Name, Status: data.POStatusSent, Currency: "GBP",
		Location: "Shop", CreatedAt: sent.Add(-time.Hour), SentAt: &sent, ExpectedAt: &expected,
		Notes: "Pack the mugs in tens, please; the courier refuses loose boxes."}
	for i := 1; i <= lines; i++ {
		l := data.POLine{LineNo: i, SKU: fmt.Sprintf("MUG-%03d", i), SupplierSKU: fmt.Sprintf("HP-%d", 7000+i),
			Name: fmt.Sprintf("Stoneware mug %d – speckled glaze", i), Quantity: int64(6 * i), UnitCost: 425 + int64(i)}
		po.Lines = append(po.Lines, l)
		po.Total += l.Quantity * l.UnitCost
	}
	return sp, po
}

func TestPurchaseOrderPDF(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	sp, po := testPO(3)
	shop := ShopInfo{Name: "Fern & Kettle", Address: "Unit 4, Mill Lane\nLeek ST13 5AA"}
	var buf bytes.Buffer
	if err := PurchaseOrderPDF(&buf, shop, sp, po); err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, "po.pdf", buf.Bytes())
	if pages, _ := pdfInfo(t, path); pages != 1 {
		t.Fatalf("pages = %d, want 1", pages)
	}
	text := pdfText(t, path, 1, 1)
	// 6×426 + 12×427 + 18×428 = 2556 + 5124 + 7704 = 15384 pence.
	for _, want := range []string{"Fern & Kettle", "Purchase order", "PO-00042", "2 Nov 2026", "16 Nov 2026",
		"Hollow Pottery Ltd", "orders@hollowpottery.example", "Unit 4, Mill Lane", "Leek ST13 5AA",
		"MUG-002", "HP-7002", "Stoneware mug 2", "£4.27", "£51.24", "Total £153.84", "3 lines, 36 units",
		"courier refuses loose boxes", "Please quote PO-00042", "page 1 of 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("purchase order has no %q:\n%s", want, text)
		}
	}
	render(t, path, 1, 100, "purchaseorder")

	t.Run("CostsHidden", func(t *testing.T) {
		_, hidden := testPO(2)
		hidden.CostsHidden, hidden.Total = true, 0
		for i := range hidden.Lines {
			hidden.Lines[i].UnitCost = 0
		}
		var buf bytes.Buffer
		if err := PurchaseOrderPDF(&buf, shop, sp, hidden); err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, writePDF(t, "hidden.pdf", buf.Bytes()), 1, 0)
		if strings.Contains(text, "£") || strings.Contains(text, "Total") || strings.Contains(text, "UNIT COST") {
			t.Errorf("a purchase order without costs shows money:\n%s", text)
		}
	})
	t.Run("Draft", func(t *testing.T) {
		_, draft := testPO(1)
		draft.Status, draft.SentAt, draft.ExpectedAt = data.POStatusDraft, nil, nil
		var buf bytes.Buffer
		if err := PurchaseOrderPDF(&buf, shop, sp, draft); err != nil {
			t.Fatal(err)
		}
		if text := pdfText(t, writePDF(t, "draft.pdf", buf.Bytes()), 1, 0); !strings.Contains(text, "DRAFT") {
			t.Errorf("a draft does not say so:\n%s", text)
		}
	})
	t.Run("LongOrder", func(t *testing.T) {
		_, long := testPO(60)
		var buf bytes.Buffer
		if err := PurchaseOrderPDF(&buf, ShopInfo{Name: "Fern & Kettle", Paper: Letter}, sp, long); err != nil {
			t.Fatal(err)
		}
		path := writePDF(t, "long.pdf", buf.Bytes())
		pages, _ := pdfInfo(t, path)
		if pages < 2 {
			t.Fatalf("pages = %d, want at least 2 for 60 lines", pages)
		}
		last := pdfText(t, path, pages, pages)
		for _, want := range []string{"PO-00042 (continued)", "MUG-060", fmt.Sprintf("page %d of %d", pages, pages), "Total"} {
			if !strings.Contains(last, want) {
				t.Errorf("last page has no %q:\n%s", want, last)
			}
		}
	})
	t.Run("NoLines", func(t *testing.T) {
		_, empty := testPO(0)
		if err := PurchaseOrderPDF(&bytes.Buffer{}, shop, sp, empty); err == nil {
			t.Error("PurchaseOrderPDF(no lines) = nil error")
		}
	})
}

func TestPurchaseOrderXLSX(t *testing.T) {
	sp, po := testPO(3)
	var buf bytes.Buffer
	if err := PurchaseOrderXLSX(&buf, ShopInfo{Name: "Fern & Kettle", Address: "Unit 4, Mill Lane\nLeek"}, sp, po); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sheet = "Purchase order"
	want := map[string]string{"B1": "PO-00042", "B3": "Hollow Pottery Ltd", "B6": "Fern & Kettle, Unit 4, Mill Lane, Leek",
		"A9": "Line", "F9": "Unit cost", "B11": "MUG-002", "C11": "HP-7002", "E11": "12", "G12": "£77.04", "F13": "Total"}
	for cell, w := range want {
		if got, _ := f.GetCellValue(sheet, cell); got != w {
			t.Errorf("%s = %q, want %q", cell, got, w)
		}
	}
	if raw, _ := f.GetCellValue(sheet, "G13", excelize.Options{RawCellValue: true}); raw != "153.84" {
		t.Errorf("G13 cached total = %q, want 153.84", raw)
	}
	if formula, _ := f.GetCellFormula(sheet, "G13"); formula != "SUM(G10:G12)" {
		t.Errorf("G13 formula = %q", formula)
	}
	if raw, _ := f.GetCellValue(sheet, "F11", excelize.Options{RawCellValue: true}); raw != "4.27" {
		t.Errorf("F11 raw = %q, want the number 4.27", raw)
	}
	if typ, _ := f.GetCellType(sheet, "E11"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("quantity stored as text (%v)", typ)
	}

	// A real reader, as the supplier's spreadsheet program: openpyxl sees the numbers, the formula and the
	// frozen header.
	python := openpyxlPython(t)
	path := filepath.Join(t.TempDir(), "po.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Purchase order"]
print(json.dumps({"qty": ws["E12"].value, "cost": ws["F12"].value, "total": ws["G13"].value,
  "freeze": ws.freeze_panes, "date": ws["B4"].value.isoformat(), "fmt": ws["F12"].number_format}))`
	out, err := exec.Command(python, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	var got struct {
		Qty    float64 `json:"qty"`
		Cost   float64 `json:"cost"`
		Total  string  `json:"total"`
		Freeze string  `json:"freeze"`
		Date   string  `json:"date"`
		Fmt    string  `json:"fmt"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("openpyxl said %s: %v", out, err)
	}
	if got.Qty != 18 || got.Cost != 4.28 || got.Total != "=SUM(G10:G12)" || got.Freeze != "A10" || got.Date != "2026-11-02T00:00:00" || !strings.Contains(got.Fmt, "£") {
		t.Errorf("openpyxl read %+v", got)
	}
}

// openpyxlPython is a Python that has openpyxl (Debian: python3-openpyxl). Without one the test skips,
// except in CI, where a missing reader is a broken machine.
func openpyxlPython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import openpyxl").Run() == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no python3 with openpyxl (Debian: python3-openpyxl)")
	}
	t.Skip("no python3 with openpyxl (Debian: python3-openpyxl)")
	return ""
}
