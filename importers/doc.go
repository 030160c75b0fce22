// Package importers reads what shops get out of their marketplaces (order, product and stock exports
// from Shopify, Etsy, Amazon, eBay, WooCommerce and TikTok Shop, as CSV, TSV or xlsx) and turns it into
// the store's records. Importers are pure: an io.Reader goes in, data.ImportItems come out, and the store
// applies them in one transaction. Nothing here touches the database.
//
// Files are recognised by their header, never by column position, because every marketplace adds and
// renames columns over the years. Values a spreadsheet program may have damaged (ids in scientific
// notation, zip codes without their leading zero) are reported, never stored silently wrong.
package importers
