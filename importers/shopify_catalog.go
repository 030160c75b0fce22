package importers

// shopifyCatalogFormats lists the layouts this file reads.
func shopifyCatalogFormats() []*Format { return nil }
