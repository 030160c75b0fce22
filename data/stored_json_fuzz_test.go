package data

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// The JSON the store keeps in text columns (saved column mappings, mail account folders and senders,
// problems, totals, held orders, sync results) is read back on every start and by every device that
// shares the file, and a file can be restored from a backup or edited by hand. These targets feed that
// JSON as anything at all to the functions that read it back: they must return an error, never panic,
// and read back what they wrote.

// fakeRow answers Scan like a database row: the strings in text fill the *string columns by position,
// and every other column is its zero value.
type fakeRow struct{ text map[int]string }

func (r fakeRow) Scan(dest ...any) error {
	for i, d := range dest {
		v := reflect.ValueOf(d)
		if v.Kind() != reflect.Pointer || v.IsNil() {
			return fmt.Errorf("column %d: not a pointer", i)
		}
		e := v.Elem()
		if s, ok := r.text[i]; ok {
			if e.Kind() != reflect.String {
				return fmt.Errorf("column %d is a %s, not text", i, e.Type())
			}
			e.SetString(s)
			continue
		}
		e.Set(reflect.Zero(e.Type()))
	}
	return nil
}

// FuzzSettingsJSON reads the settings the owner saves as JSON: a saved column mapping (its header and
// body) and a mail account's folders and senders.
func FuzzSettingsJSON(f *testing.F) {
	f.Add(`["Order","Total"]`, `{"columns":{"Order":"order_id","Total":"total"},"options":{"date":"DMY"}}`)
	f.Add(`["INBOX","Orders/Shopify"]`, `["store+noreply@shopify.com","@etsy.com"]`)
	f.Add(`null`, `{}`)
	f.Add(`[1,2]`, `{"columns":[]}`)
	f.Add(`["\u0000"]`, `{"columns":{"a":"b"`)
	f.Fuzz(func(t *testing.T, a, b string) {
		m, err := scanMapping(fakeRow{text: map[int]string{0: "sig", 1: "name", 2: a, 3: "", 4: "orders", 5: b, 6: ""}})
		if err == nil {
			again, merr := json.Marshal(mappingBody{Columns: m.Columns, Options: m.Options})
			if merr != nil {
				t.Fatalf("a mapping read from %q does not write back: %v", b, merr)
			}
			back, err := scanMapping(fakeRow{text: map[int]string{2: a, 5: string(again)}})
			if err != nil || !sameMap(back.Columns, m.Columns) || !sameMap(back.Options, m.Options) {
				t.Fatalf("mapping %q read back as %+v, then %+v (%v)", b, m, back, err)
			}
		} else if wantMapping(a, b) {
			t.Fatalf("a valid mapping header %q body %q is refused: %v", a, b, err)
		}
		acc, err := scanMailAccount(fakeRow{text: map[int]string{1: "imap.example.com", 3: "tls", 4: "me", 5: a, 6: b, 7: "", 8: ""}})
		var fs, ss []string
		valid := json.Unmarshal([]byte(a), &fs) == nil && json.Unmarshal([]byte(b), &ss) == nil
		if valid != (err == nil) {
			t.Fatalf("mail account folders %q senders %q: valid %v, read error %v", a, b, valid, err)
		}
		if err == nil && (!reflect.DeepEqual(acc.Folders, fs) || !reflect.DeepEqual(acc.Senders, ss)) {
			t.Fatalf("mail account folders %q senders %q read as %q %q", a, b, acc.Folders, acc.Senders)
		}
	})
}

// sameMap compares maps as a mapping means them: no map and an empty one are the same (options are
// written with omitempty).
func sameMap(a, b map[string]string) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

func wantMapping(header, body string) bool {
	var h []string
	var b mappingBody
	return json.Unmarshal([]byte(header), &h) == nil && json.Unmarshal([]byte(body), &b) == nil
}

// FuzzStoredJSON reads the other JSON the store keeps: problems of a mail and of an import, an accounts
// export's totals and zone, a held order, and a mail sync's result.
func FuzzStoredJSON(f *testing.F) {
	f.Add(`[{"Row":3,"Column":"Total","Reason":"not a number"}]`, "Europe/London")
	f.Add(`{"Channels":[{"Channel":"shopify","Currency":"GBP","Orders":2}]}`, "../../etc/passwd")
	f.Add(`{"Seen":3,"OrdersNew":1,"Warnings":[{"Reason":"x"}]}`, "")
	f.Add(`{"ExternalID":"#1001","Lines":[{"SKU":"MUG","Quantity":1}]}`, "Local")
	f.Add(`[`, "\x00")
	f.Fuzz(func(t *testing.T, js, zone string) {
		_, _ = scanMail(fakeRow{text: map[int]string{4: "imap", 6: "id@x", 7: "s", 8: "f", 11: "order", 12: "shopify", 14: js}})
		_, _ = scanImportLog(fakeRow{text: map[int]string{1: "", 2: "u", 3: "f.csv", 5: "", 6: "shopify", 7: "done", 20: js}})
		_, _ = scanAccountsExport(fakeRow{text: map[int]string{1: "2026-10-01", 2: "2026-10-31", 3: zone, 4: "xlsx", 5: "f", 6: "", 12: js, 15: "", 16: ""}})
		_, _ = scanHeldChange(fakeRow{text: map[int]string{1: "shopify", 3: "2026-10-02T10:00:00Z", 10: js, 11: ""}})
		_, _ = scanMailSyncRun(fakeRow{text: map[int]string{2: "", 3: "", 4: js, 5: ""}})
		_, _ = storedPeriod("2026-10-01", "2026-10-31", zone)
	})
}
