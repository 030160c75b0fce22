package accountsbook

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The tests open every workbook with two real readers: openpyxl (Debian's python3-openpyxl, so
// /usr/bin/python3 rather than whichever python3 is first on PATH) and LibreOffice. A test needing one
// that is not installed is skipped, saying so.

const systemPython = "/usr/bin/python3"

type inspected struct {
	Properties map[string]any   `json:"properties"`
	Sheets     []inspectedSheet `json:"sheets"`
}

type inspectedSheet struct {
	Name   string                   `json:"name"`
	Freeze string                   `json:"freeze"`
	Filter string                   `json:"filter"`
	Widths map[string]float64       `json:"widths"`
	Cells  map[string]inspectedCell `json:"cells"`
}

type inspectedCell struct {
	V      any    `json:"v"`
	Cached any    `json:"cached"`
	Type   string `json:"type"` // openpyxl's: s text, n number, f formula, b boolean
	Format string `json:"format"`
	Date   bool   `json:"date"`
	Quote  bool   `json:"quote"`
	Bold   bool   `json:"bold"`
}

func (s inspectedSheet) cell(t *testing.T, ref string) inspectedCell {
	t.Helper()
	c, ok := s.Cells[ref]
	if !ok {
		t.Fatalf("sheet %s: cell %s is empty", s.Name, ref)
	}
	return c
}

// row finds the row whose cells in A and B say a and b.
func (s inspectedSheet) row(t *testing.T, a, b string) string {
	t.Helper()
	for ref, c := range s.Cells {
		if !strings.HasPrefix(ref, "A") || c.V != a {
			continue
		}
		n := ref[1:]
		if bc, ok := s.Cells["B"+n]; (b == "" && !ok) || (ok && bc.V == b) {
			return n
		}
	}
	t.Fatalf("sheet %s has no row %q, %q", s.Name, a, b)
	return ""
}

// openpyxl describes the workbook at path as openpyxl reads it.
func openpyxl(t *testing.T, path string) inspected {
	t.Helper()
	if err := exec.Command(systemPython, "-c", "import openpyxl").Run(); err != nil {
		t.Skipf("skipped: openpyxl is not installed for %s (Debian: apt-get install python3-openpyxl): %v", systemPython, err)
	}
	out, err := exec.Command(systemPython, "testdata/inspect_workbook.py", path).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("openpyxl could not read %s: %v\n%s", path, err, stderr)
	}
	var got inspected
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("read openpyxl's description: %v", err)
	}
	return got
}

// libreOfficeCSV converts every sheet of the workbook at path to CSV with LibreOffice, which
// recalculates every formula on loading (its profile, made here, says so), and returns the sheets by
// name as records. Numbers are written as stored ("as shown" off): 49.95, not "49.95 GBP".
func libreOfficeCSV(t *testing.T, path string) map[string][][]string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("skipped: LibreOffice (soffice) is not installed")
	}
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	if err := os.MkdirAll(filepath.Join(profile, "user"), 0o755); err != nil {
		t.Fatal(err)
	}
	// OOXMLRecalcMode 0: always recalculate xlsx files on load (the default never does, trusting the
	// cached values, which would prove nothing about the formulas).
	const settings = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`
	if err := os.WriteFile(filepath.Join(profile, "user", "registrymodifications.xcu"), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(dir, "out")
	// Filter options: comma, double quote, UTF-8, from line 1, …, cells not "as shown", every sheet to
	// its own file (<name>-<sheet>.csv).
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+profile, "--headless", "--norestore",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,false,false,-1",
		"--outdir", outDir, path)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice --convert-to csv: %v\n%s", err, out)
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	files, _ := filepath.Glob(filepath.Join(outDir, base+"-*.csv"))
	if len(files) == 0 {
		t.Fatalf("soffice wrote no CSV files to %s", outDir)
	}
	sheets := map[string][][]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		sheets[strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), base+"-"), ".csv")] = recs
	}
	return sheets
}

var cachedValue = regexp.MustCompile(`(</f>)<v>[^<]*</v>`)

// withoutCachedValues copies the workbook at src to dst with every formula's cached value set to 0, so
// a reader showing the right figures must have calculated them.
func withoutCachedValues(t *testing.T, src, dst string) int {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	zeroed := 0
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			zeroed += len(cachedValue.FindAll(b, -1))
			b = cachedValue.ReplaceAll(b, []byte("$1<v>0</v>"))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return zeroed
}
