package importers

// wooFormats lists the layouts this file reads.
func wooFormats() []*Format { return nil }
