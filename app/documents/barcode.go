package documents

import (
	"fmt"

	"codeberg.org/go-pdf/fpdf"
	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/ean"
)

// Symbology is the kind of barcode a code is printed as.
type Symbology string

// The symbologies Backroom prints. EAN-13 is what a product's maker printed on it; Code 128 carries
// anything else a scanner must read back exactly: order numbers, SKUs, bin codes.
const (
	EAN13   Symbology = "EAN-13"
	Code128 Symbology = "Code 128"
)

// ValidEAN13 reports whether code is 13 digits whose last is the right check digit.
func ValidEAN13(code string) bool {
	if len(code) != 13 {
		return false
	}
	sum := 0
	for i := 0; i < 13; i++ {
		c := code[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i < 12 {
			if i%2 == 1 {
				d *= 3
			}
			sum += d
		}
	}
	return (10-sum%10)%10 == int(code[12]-'0')
}

// SymbologyFor is EAN-13 for a valid EAN-13, else Code 128.
func SymbologyFor(code string) Symbology {
	if ValidEAN13(code) {
		return EAN13
	}
	return Code128
}

// bars is an encoded one-dimensional barcode: which modules are dark, and the quiet zones, in modules,
// that scanners need left and right of it.
type bars struct {
	dark        []bool
	quietLeft   int
	quietRight  int
	symbology   Symbology
	encodedText string
}

// modules is the barcode's whole width in modules, quiet zones included.
func (b bars) modules() int { return b.quietLeft + len(b.dark) + b.quietRight }

// encode turns code into bars in the given symbology. Code 128 takes printable ASCII only; an order
// number with other characters cannot be a barcode and is reported as such.
func encode(code string, sym Symbology) (bars, error) {
	var bc barcode.Barcode
	var err error
	quietL, quietR := 10, 10
	switch sym {
	case EAN13:
		bc, err = ean.Encode(code)
		quietL, quietR = 11, 7
	default:
		for _, r := range code {
			if r < 0x20 || r > 0x7e {
				return bars{}, fmt.Errorf("%q cannot be a Code 128 barcode: it has characters other than plain letters, digits and signs", code)
			}
		}
		bc, err = code128.Encode(code)
	}
	if err != nil {
		return bars{}, fmt.Errorf("encode %s barcode %q: %w", sym, code, err)
	}
	bounds := bc.Bounds()
	dark := make([]bool, bounds.Dx())
	for x := range dark {
		r, _, _, _ := bc.At(bounds.Min.X+x, bounds.Min.Y).RGBA()
		dark[x] = r < 0x8000
	}
	return bars{dark: dark, quietLeft: quietL, quietRight: quietR, symbology: sym, encodedText: code}, nil
}

// draw paints the bars centred in a box w mm wide (quiet zones included) from x, h mm tall from y, with
// modules at most maxModule mm wide. It returns the width the bars took, quiet zones included.
func (b bars) draw(pdf *fpdf.Fpdf, x, y, w, h, maxModule float64) float64 {
	module := min(maxModule, w/float64(b.modules()))
	total := module * float64(b.modules())
	left := x + (w-total)/2 + module*float64(b.quietLeft)
	pdf.SetFillColor(0, 0, 0)
	for i := 0; i < len(b.dark); {
		if !b.dark[i] {
			i++
			continue
		}
		j := i
		for j < len(b.dark) && b.dark[j] {
			j++
		}
		pdf.Rect(left+float64(i)*module, y, float64(j-i)*module, h, "F")
		i = j
	}
	return total
}
