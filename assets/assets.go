// Package assets embeds the application's icon and other static resources
// into the binary, so Backroom needs no files beside the executable at run
// time. The same icon.png is named in FyneApp.toml for `fyne package`.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon returns the application icon: a 512x512 PNG.
func Icon() fyne.Resource {
	return fyne.NewStaticResource("icon.png", iconPNG)
}
