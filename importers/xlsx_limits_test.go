package importers

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strings"
	"testing"
)

// openLimited opens b as an import would and wants it refused by the zip limits, with a message that
// names the file and says what holds.
func openLimited(t *testing.T, b []byte, wants ...string) {
	t.Helper()
	f, err := Open(bytes.NewReader(b), "orders-2026.xlsx", Options{})
	if err == nil {
		f.Close()
		t.Fatal("opened")
	}
	t.Log(err)
	if !errors.Is(err, errZipLimit) {
		t.Errorf("not a limit error: %v", err)
	}
	for _, w := range append([]string{"orders-2026.xlsx: "}, wants...) {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

// A real zip bomb: a sheet of 40 MiB of blanks packs into about 40 KiB.
func TestXLSXLimits_Bomb(t *testing.T) {
	sheet := `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>Name</t></is></c><c t="inlineStr"><is><t>Total</t></is></c></row>` +
		strings.Repeat(" ", 40<<20) + `</sheetData></worksheet>`
	b := handWorkbook(t, sheet, nil)
	if len(b) > 1<<20 {
		t.Fatalf("the bomb is %d bytes; it should pack small", len(b))
	}
	openLimited(t, b, `part "xl/worksheets/sheet1.xml" unpacks from`, "into 40.0 MiB", "more than 200 times")
}

// rawZip writes parts with the sizes their directory entries claim, whatever the bytes are: what a
// hand-made hostile file does.
func rawZip(t *testing.T, parts []zip.FileHeader, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := range parts {
		h := parts[i]
		h.Method = zip.Deflate
		h.CRC32 = crc32.ChecksumIEEE(data)
		h.CompressedSize64 = uint64(len(data))
		fw, err := w.CreateRaw(&h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A directory that claims more than 1 GiB in all, each part at a ratio real sheets reach.
func TestXLSXLimits_TotalSize(t *testing.T) {
	data := make([]byte, 2<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	var parts []zip.FileHeader
	for i := range 5 {
		parts = append(parts, zip.FileHeader{Name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), UncompressedSize64: 200 << 20})
	}
	b := rawZip(t, parts, data)
	if err := checkZipLimits(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	b = rawZip(t, append(parts, zip.FileHeader{Name: "xl/worksheets/sheet6.xml", UncompressedSize64: 200 << 20}), data)
	openLimited(t, b, "unpacks into more than 1.0 GiB")
}

// A part that claims to unpack from nothing is a bomb whatever its size.
func TestXLSXLimits_NothingPacked(t *testing.T) {
	b := rawZip(t, []zip.FileHeader{{Name: "xl/worksheets/sheet1.xml", UncompressedSize64: 20 << 20}}, nil)
	openLimited(t, b, "unpacks from 0 bytes into 20.0 MiB")
}

func TestXLSXLimits_ManyEntries(t *testing.T) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := range maxZipEntries + 1 {
		if _, err := w.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("xl/media/i%d.bin", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	openLimited(t, buf.Bytes(), "it has 10001 parts inside", "at most 10000")
}

// A large sheet of real orders packs about ten times and passes, and still reads.
func TestXLSXLimits_RealSheetPasses(t *testing.T) {
	var sheet strings.Builder
	sheet.WriteString(`<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>Order</t></is></c><c t="inlineStr"><is><t>Email</t></is></c><c t="inlineStr"><is><t>Total</t></is></c></row>`)
	for r := 2; sheet.Len() < 24<<20; r++ {
		fmt.Fprintf(&sheet, `<row r="%d"><c t="inlineStr"><is><t>#%d</t></is></c><c t="inlineStr"><is><t>c%x@example.com</t></is></c><c><v>%d.%02d</v></c></row>`,
			r, 1000+r, r*7919, r%300, r%100)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	b := handWorkbook(t, sheet.String(), nil)
	if err := checkZipLimits(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatalf("a real sheet of %d bytes packed into %d: %v", sheet.Len(), len(b), err)
	}
	f, err := Open(bytes.NewReader(b), "orders.xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestByteSize(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 bytes", 1023: "1023 bytes", 1536: "1.5 KiB", 40 << 20: "40.0 MiB", 1 << 30: "1.0 GiB", 3 << 40: "3.0 TiB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}
