package importers

// ebayFormats lists the layouts this file reads.
func ebayFormats() []*Format { return nil }
