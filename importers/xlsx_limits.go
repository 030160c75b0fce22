package importers

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
)

// An xlsx file is a zip, and a zip can claim to unpack into far more than it holds: a few hundred
// kilobytes that inflate to gigabytes (a "zip bomb"), or a hundred thousand tiny parts. Before either
// reader sees a workbook, its zip directory is checked against these limits, which real exports stay
// far below (a 100,000-order Shopify export is a dozen parts and about 150 MB unpacked). Go's zip
// reader refuses to inflate a part past the size its directory declares, so checking the declared
// sizes bounds what is actually unpacked.
const (
	// maxZipEntries is the most parts a workbook may have: a sheet, its relations, styles and shared
	// strings are a dozen; a workbook with hundreds of sheets and images stays in the hundreds.
	maxZipEntries = 10_000
	// maxUnzippedSize is the most a workbook may unpack into, all parts together.
	maxUnzippedSize = 1 << 30
	// maxZipRatio is how many times its packed size a large part may unpack into. Order and stock
	// sheets pack 5 to 30 times; deflate cannot do better than about 1,030 times, which only data made
	// for it reaches.
	maxZipRatio = 200
	// ratioFloor is the unpacked size below which a part's ratio does not matter: small parts of
	// repeated markup (styles, empty sheets) pack very well and cost nothing to read.
	ratioFloor = 16 << 20
)

// errZipLimit marks a workbook refused by checkZipLimits.
var errZipLimit = errors.New("the workbook is over the size Backroom reads")

// checkZipLimits reads the zip directory of the workbook in ra and refuses it when it has too many
// parts, unpacks into too much, or has a part that unpacks far beyond its packed size. A zip whose
// directory cannot be read is left for the readers to report as damaged.
func checkZipLimits(ra io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil
	}
	if n := len(zr.File); n > maxZipEntries {
		return fmt.Errorf("%w: it has %d parts inside, and a spreadsheet has at most %d (is it really an export?)",
			errZipLimit, n, maxZipEntries)
	}
	var total uint64
	for _, f := range zr.File {
		u, c := f.UncompressedSize64, f.CompressedSize64
		if u > ratioFloor && (c == 0 || u/c > maxZipRatio) {
			return fmt.Errorf("%w: its part %q unpacks from %s into %s, more than %d times its size, which only a file made to exhaust the computer does",
				errZipLimit, f.Name, byteSize(c), byteSize(u), maxZipRatio)
		}
		total += u
		if total > maxUnzippedSize {
			return fmt.Errorf("%w: it unpacks into more than %s; split the export into smaller periods",
				errZipLimit, byteSize(maxUnzippedSize))
		}
	}
	return nil
}

// byteSize says n in the largest unit that keeps it at least 1: "1.5 GiB", "300 KiB", "12 bytes".
func byteSize(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	v, u := float64(n)/unit, 0
	for v >= unit && u < 3 {
		v /= unit
		u++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGT"[u])
}
