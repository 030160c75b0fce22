package importers

// tiktokFormats lists the layouts this file reads.
func tiktokFormats() []*Format { return nil }
