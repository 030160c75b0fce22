package ordermail

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers"
)

// The subject and body patterns of the reference's detection rules, applied after RFC 2047 decoding,
// unfolding and taking off Re:/Fwd: prefixes.
var (
	shopifySubj = regexp.MustCompile(`^\[(.+?)\] Order (#?\S+) placed by (.+)$`)
	etsySubj    = regexp.MustCompile(`^You made a sale(?: on Etsy)?(?: - Ship by ([A-Z][a-z]{2} \d{1,2}))? - \[([^,\]]+), Order #(\d+)\]$`)
	wooSubj     = regexp.MustCompile(`^\[(.+?)\]: (?:New order #|You(?:'|’)ve got a new order: #)(\S+)$`)
	ebaySubj    = regexp.MustCompile(`^You made the sale for (.+)$`)
	amazonSubj  = regexp.MustCompile(`(?i)^sold[,\s-]+ship now[:.!]?\s*(.*)$`)
	// notOrderSubj are a marketplace's mails about orders that are no new sale: shipments, refunds,
	// cancellations, payouts. They are ignored, not queued.
	notOrderSubj = regexp.MustCompile(`(?i)\b(shipment|is on the way|shipped|delivered|refund|cancel|return request|payout|deposit|review)`)
	// orderSubj is what any shop system's sale notification tends to say.
	orderSubj = regexp.MustCompile(`(?i)(\bnew order\b|\border\s*(?:#|no\.?\s*|number\s*)\s*[\w-]*\d|\byou(?:'ve| have)? (?:made|got) a (?:new )?(?:sale|order)\b|\bsold\b|\border (?:received|placed)\b)`)
	orderBody = regexp.MustCompile(`(?i)\b(order (?:number|no\.?|id|#)|order total|subtotal)\b`)
)

// detection is what a message was recognised as.
type detection struct {
	channel string
	ignore  bool // mail from a marketplace that is no new order
	parse   func(mailText) (*data.Order, []data.Problem, error)
}

func address(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		return strings.ToLower(a.Address)
	}
	if i, j := strings.LastIndex(from, "<"), strings.LastIndex(from, ">"); i >= 0 && j > i {
		return strings.ToLower(strings.TrimSpace(from[i+1 : j]))
	}
	return strings.ToLower(strings.TrimSpace(from))
}

func domainIs(addr string, domains ...string) bool {
	_, host, _ := strings.Cut(addr, "@")
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// detect recognises the marketplace by subject first, since Shopify and WooCommerce mail comes from
// the shop's own domain, then by the marketplaces' fixed senders.
func detect(mt mailText) detection {
	from, subj := address(mt.from), mt.subject
	switch {
	case shopifySubj.MatchString(subj):
		return detection{channel: "shopify", parse: parseShopify}
	case etsySubj.MatchString(subj):
		return detection{channel: "etsy", parse: parseEtsy}
	case wooSubj.MatchString(subj):
		return detection{channel: "woocommerce", parse: parseWoo}
	case ebaySubj.MatchString(subj) && (domainIs(from, "ebay.com", "ebay.co.uk", "ebay.de", "ebay.com.au", "ebay.ca") || mt.lines.index(0, "Your buyer's shipping details:") >= 0):
		return detection{channel: "ebay", parse: parseEbay}
	case amazonSubj.MatchString(subj) && !strings.HasPrefix(from, "auto-confirm@"):
		return detection{channel: "amazon", parse: parseAmazon}
	}
	channel := ""
	switch {
	case domainIs(from, "etsy.com"):
		channel = "etsy"
		if v, _ := mt.lines.value(0, "Your order number is:"); v != "" && !notOrderSubj.MatchString(subj) {
			return detection{channel: channel, parse: parseEtsy}
		}
	case domainIs(from, "shopifyemail.com", "shopify.com"):
		channel = "shopify"
	case domainIs(from, "ebay.com", "ebay.co.uk", "ebay.de", "ebay.com.au", "ebay.ca"):
		channel = "ebay"
	case domainIs(from, "amazon.com", "amazon.co.uk", "amazon.de", "amazon.ca", "amazon.com.au"):
		channel = "amazon"
	}
	if channel == "" {
		return detection{}
	}
	// Everything else a marketplace sends (newsletters, shipment and refund notices, buyers' own
	// receipts) is no sale of the shop's; what would be one but did not match a known subject is
	// left to looksLikeOrder.
	if orderSubj.MatchString(subj) && !notOrderSubj.MatchString(subj) {
		return detection{channel: channel}
	}
	return detection{channel: channel, ignore: true}
}

// looksLikeOrder says whether a message no parser took may still be a sale: its subject says so and
// its text has order labels. Such mail goes to review rather than being ignored.
func looksLikeOrder(mt mailText) bool {
	if !orderSubj.MatchString(mt.subject) || notOrderSubj.MatchString(mt.subject) {
		return false
	}
	for _, l := range mt.lines {
		if orderBody.MatchString(l) {
			return true
		}
	}
	return false
}

// money reads an amount of the order's currency; it returns the currency the text states.
func money(s, currency string) (int64, string, error) {
	v, stated, err := importers.ParseAmount(strings.TrimSpace(s), currency)
	if err != nil {
		return 0, stated, fmt.Errorf("%q %w", s, err)
	}
	return v, stated, nil
}

// amounts reads labelled amounts in one currency, the first one deciding it when the order has
// none yet, and reports every amount it cannot read or in another currency.
type amounts struct {
	currency string
	problems []data.Problem
}

func (a *amounts) read(label, s string) int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	// "$59.45 USD": the code after the amount decides the dollar.
	if f := strings.Fields(s); len(f) == 2 && len(f[1]) == 3 && strings.ToUpper(f[1]) == f[1] && data.ValidCurrency(f[1]) {
		if a.currency == "" {
			a.currency = f[1]
		}
		s = f[0]
	}
	v, stated, err := money(s, a.currency)
	if err != nil {
		a.problems = append(a.problems, data.Problem{Column: label, Value: s, Reason: "is not an amount of money"})
		return 0
	}
	switch {
	case a.currency == "" && stated != "":
		a.currency = stated
		// The minor units follow the currency now known.
		v, _, _ = money(s, stated)
	case stated != "" && stated != a.currency:
		a.problems = append(a.problems, data.Problem{Column: label, Value: s, Reason: fmt.Sprintf("is in %s but the order is in %s", stated, a.currency)})
		return 0
	}
	return v
}

// errorOf is the first error among problems, for a parser that cannot go on with them.
func errorOf(problems []data.Problem) error {
	for _, p := range problems {
		if !p.Warning {
			return fmt.Errorf("%s", p.String())
		}
	}
	return nil
}

// dayInYear reads a date written without a year ("Mar 29", "Apr 17 at 2:49 pm") as the one nearest
// before ref (for order dates, after for ship-by dates), in ref's zone.
func dayInYear(layout, s string, ref time.Time, after bool) (time.Time, bool) {
	loc := time.UTC
	if !ref.IsZero() {
		loc = ref.Location()
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return time.Time{}, false
	}
	if ref.IsZero() {
		return time.Time{}, false
	}
	t = t.AddDate(ref.Year()-t.Year(), 0, 0)
	switch {
	case !after && t.After(ref.Add(24*time.Hour)):
		t = t.AddDate(-1, 0, 0)
	case after && t.Before(ref.Add(-24*time.Hour)):
		t = t.AddDate(1, 0, 0)
	}
	return t, true
}

// onDay is the message's time when day is the message's date, since a notification goes out at the
// moment of the sale; otherwise the start of day.
func onDay(day, sent time.Time) time.Time {
	if !sent.IsZero() {
		y1, m1, d1 := day.Date()
		y2, m2, d2 := sent.Date()
		if y1 == y2 && m1 == m2 && d1 == d2 {
			return sent
		}
	}
	return day
}

// unitPrice divides a line's amount by its quantity, warning when it does not divide evenly.
func unitPrice(line, qty int64, label string, problems *[]data.Problem) int64 {
	if qty <= 0 {
		return line
	}
	if line%qty != 0 {
		*problems = append(*problems, data.Problem{Column: label, Value: fmt.Sprint(line),
			Reason: fmt.Sprintf("is the price of %d units and does not divide evenly; the unit price was rounded down", qty), Warning: true})
	}
	return line / qty
}
