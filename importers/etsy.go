package importers

// etsyFormats lists the layouts this file reads.
func etsyFormats() []*Format { return nil }
