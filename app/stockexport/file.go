package stockexport

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
)

// WriteFile writes the stock file of channel to path whole or not at all: the file is made in memory,
// written beside path and renamed over it, because a channel reading half a stock file would list half
// the shop. Log the export (data.Store.LogStockExport) only after it returns without error.
func WriteFile(path, channel string, listings []data.ChannelListing) (Result, error) {
	var buf bytes.Buffer
	res, err := Write(&buf, channel, listings)
	if err != nil {
		return Result{}, err
	}
	tmp := path + ".part"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		os.Remove(tmp)
		return Result{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return Result{}, fmt.Errorf("write %s: %w", path, err)
	}
	return res, nil
}

// FileName is the name a stock file is offered under, such as shopify-stock-2026-11-26.csv. Amazon's
// file is tab-separated, so it ends in .txt, which is what Seller Central's upload page asks for.
func FileName(channel string, day time.Time) string {
	channel = strings.ToLower(strings.TrimSpace(channel))
	ext := ".csv"
	if channel == "amazon" {
		ext = ".txt"
	}
	return channel + "-stock-" + day.Format("2006-01-02") + ext
}
