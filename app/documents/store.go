package documents

import (
	"context"
	"fmt"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// The helpers below read what the documents need from the store, so the window and the command line
// print the same thing.

// ShopName is the shop's name as set in Settings, or "Backroom" while none is set.
func ShopName(ctx context.Context, s *data.Store) (string, error) {
	name, err := s.Setting(ctx, data.SettingShopName)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(name) == "" {
		return "Backroom", nil
	}
	return name, nil
}

// Shop is the shop as its documents name it: its name (see ShopName) and the delivery address set in
// Settings, printed on paper of the given size.
func Shop(ctx context.Context, s *data.Store, paper Paper) (ShopInfo, error) {
	name, err := ShopName(ctx, s)
	if err != nil {
		return ShopInfo{}, err
	}
	address, err := s.Setting(ctx, data.SettingShopAddress)
	if err != nil {
		return ShopInfo{}, err
	}
	return ShopInfo{Name: name, Address: address, Paper: paper}, nil
}

// ProductLabels makes one label per SKU, in the order given. The barcode is the product's EAN-13 when
// it has a valid one, so a label printed for the shelf scans the same as the maker's; else its first
// barcode; else the SKU itself, which the scanner lookup also accepts. An unknown SKU is an error naming
// it.
func ProductLabels(ctx context.Context, s *data.Store, skus []string) ([]Label, error) {
	out := make([]Label, 0, len(skus))
	for _, sku := range skus {
		v, err := s.Variant(ctx, strings.TrimSpace(sku))
		if err != nil {
			return nil, err
		}
		out = append(out, productLabel(v))
	}
	return out, nil
}

func productLabel(v data.Variant) Label {
	code := v.SKU
	for _, b := range v.Barcodes {
		if ValidEAN13(b) {
			code = b
			break
		}
	}
	if code == v.SKU && len(v.Barcodes) > 0 {
		code = v.Barcodes[0]
	}
	sub := v.SKU
	if v.Title != "" {
		sub = v.Title + " · " + v.SKU
	}
	if v.Bin != "" {
		sub += " · bin " + v.Bin
	}
	return Label{Code: code, Title: v.ProductName, Sub: sub}
}

// BinLabels makes one label per bin in use, in walking order; location, an id or name, limits them to
// one location.
func BinLabels(ctx context.Context, s *data.Store, location string) ([]Label, error) {
	bins, err := s.Bins(ctx, location)
	if err != nil {
		return nil, err
	}
	out := make([]Label, 0, len(bins))
	for _, b := range bins {
		out = append(out, Label{Code: b.Code, Title: "Bin " + b.Code, Sub: b.Location + " · " + plural(int64(b.SKUs), "SKU", "SKUs")})
	}
	return out, nil
}

// WithLines returns the orders with their lines read from the store, and a name on every line: lines
// of matched SKUs that came without one get the SKU's name, so a packing slip never shows a blank item.
func WithLines(ctx context.Context, s *data.Store, orders []data.Order) ([]data.Order, error) {
	ids := make([]int64, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	lines, err := s.OrderLines(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read order lines: %w", err)
	}
	names := map[string]string{}
	out := make([]data.Order, len(orders))
	for i, o := range orders {
		o.Lines = lines[o.ID]
		for j, l := range o.Lines {
			if l.Name != "" || l.SKU == "" {
				continue
			}
			if _, ok := names[l.SKU]; !ok {
				v, err := s.Variant(ctx, l.SKU)
				if err != nil {
					return nil, err
				}
				names[l.SKU] = v.Name()
			}
			o.Lines[j].Name = names[l.SKU]
		}
		out[i] = o
	}
	return out, nil
}
