package importers

// amazonFormats lists the layouts this file reads.
func amazonFormats() []*Format { return nil }
