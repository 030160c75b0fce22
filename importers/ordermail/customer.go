package ordermail

import (
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"
)

// CustomerMail is what a customer's own mail (no marketplace notification) says about which of the
// shop's messages and orders it concerns: the mail it answers and the order numbers it names, with its
// text for the support thread.
type CustomerMail struct {
	MessageID string
	From      string // decoded, "Name <address>"
	Address   string // the sender's bare address, lower case
	Subject   string
	// InReplyTo and References are the Message-IDs the mail answers, without angle brackets, as its
	// headers list them (References oldest first).
	InReplyTo  []string
	References []string
	// Text is the readable text with the quoted history of earlier mail cut off where a mail program
	// marks it ("On … wrote:", "> " lines, an Outlook header block).
	Text string
	// Mentions are the order numbers the subject and text name, in the order they appear, each once:
	// "#1042", "order 1042", "order no. 1042", and Amazon's 123-1234567-1234567 and eBay's 12-12345-12345
	// shapes wherever they stand. A number without one of these marks is never taken: a mail is full of
	// postcodes, phone numbers and prices.
	Mentions []string
	// Marketplace says the sender is a marketplace's own address (Etsy, eBay, Amazon, Shopify,
	// Walmart, TikTok): their mail is notifications, never a customer writing.
	Marketplace bool
}

// maxMentions bounds the order numbers kept from one mail: a customer names one or two; a mail naming
// dozens is a newsletter or a list, not a question about an order.
const maxMentions = 5

// maxThreadIDs bounds the Message-IDs kept from In-Reply-To and References: long threads list dozens,
// and only the newest few can be ours.
const maxThreadIDs = 20

var (
	// mentionHash is "#1042" or "# 1042"; the number is 3 to 12 digits, so "#1" bullets and colour
	// codes ("#ff0000") are not orders.
	mentionHash = regexp.MustCompile(`(?:^|[^\w&#])#\s?(\d{3,12})\b`)
	// mentionWord is "order 1042", "order #1042", "order no. 1042", "order number: 1042", "Bestellung 1042".
	mentionWord = regexp.MustCompile(`(?i)\b(?:order|bestellung|commande|pedido)\s*(?:(?:number|no\.?|nr\.?|num[eé]ro|id)\s*)?[:#]?\s*#?\s*([A-Z0-9]{2,}-[A-Z0-9-]{3,30}|\d{3,20})\b`)
	// mentionAmazon and mentionEbay are the marketplaces' order number shapes, distinctive enough to
	// take anywhere.
	mentionAmazon = regexp.MustCompile(`\b(\d{3}-\d{7}-\d{7})\b`)
	mentionEbay   = regexp.MustCompile(`\b(\d{2}-\d{5}-\d{5})\b`)
	messageIDs    = regexp.MustCompile(`<([^<>\s]{1,500})>`)
	// quoteIntro is the line a mail program writes above the quoted earlier mail.
	quoteIntro = regexp.MustCompile(`(?i)^(?:on\b.{0,200}\bwrote:?|am\b.{0,200}\bschrieb.{0,80}:|le\b.{0,200}\ba écrit ?:|-+\s*original message\s*-+|-+\s*ursprüngliche nachricht\s*-+)$`)
)

// ReadCustomerMail reads a customer's mail for the support desk. An error means the input is not an
// e-mail at all.
func ReadCustomerMail(r io.Reader) (CustomerMail, error) {
	raw, err := readLimited(r)
	if err != nil {
		return CustomerMail{}, err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return CustomerMail{}, fmt.Errorf("read message headers: %w", err)
	}
	dec := wordDecoder()
	c := CustomerMail{
		MessageID:  strings.Trim(strings.TrimSpace(m.Header.Get("Message-Id")), "<>"),
		From:       strings.ToValidUTF8(decodeHeader(dec, m.Header.Get("From")), "\uFFFD"),
		Subject:    strings.ToValidUTF8(decodeHeader(dec, m.Header.Get("Subject")), "\uFFFD"),
		InReplyTo:  threadIDs(m.Header.Get("In-Reply-To")),
		References: threadIDs(m.Header.Get("References")),
	}
	c.Address = address(c.From)
	c.Marketplace = marketplaceSender(c.Address)
	b, _ := readMessage(m, 0) // what could be read is kept; a broken tail loses only the tail
	text := strings.TrimSpace(b.plain)
	if b.html != "" {
		if h, _ := htmlText(b.html); len(lines(text)) < 2 && len(lines(h)) > len(lines(text)) {
			text = strings.Join(lines(h), "\n")
		}
	}
	c.Text = TrimQuoted(text)
	c.Mentions = OrderMentions(c.Subject + "\n" + c.Text)
	return c, nil
}

// threadIDs reads the Message-IDs of an In-Reply-To or References header. A header some program wrote
// without angle brackets is read as one bare ID.
func threadIDs(h string) []string {
	var out []string
	for _, m := range messageIDs.FindAllStringSubmatch(h, -1) {
		out = appendOnce(out, m[1])
	}
	if len(out) == 0 {
		if f := strings.Fields(h); len(f) == 1 && strings.Contains(f[0], "@") && !strings.ContainsAny(f[0], "<>") && len(f[0]) <= 500 {
			out = []string{f[0]}
		}
	}
	if len(out) > maxThreadIDs {
		out = out[len(out)-maxThreadIDs:] // the newest are last
	}
	return out
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// TrimQuoted cuts the quoted history off a reply's text: from the "On … wrote:" line (which Gmail may
// wrap over two lines), an "Original Message" rule or an Outlook "From:/Sent:" block on, and any
// trailing lines quoted with ">". Text quoted in the middle, between the customer's own lines, stays.
func TrimQuoted(text string) string {
	ls := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	cut := len(ls)
	for i, l := range ls {
		t := strings.TrimSpace(l)
		if quoteIntro.MatchString(t) {
			cut = i
			break
		}
		if i+1 < len(ls) && strings.HasPrefix(strings.ToLower(t), "on ") && !strings.HasPrefix(t, ">") &&
			quoteIntro.MatchString(t+" "+strings.TrimSpace(ls[i+1])) {
			cut = i
			break
		}
		if strings.HasPrefix(t, "From:") && i+3 < len(ls) && i > 0 {
			if outlookBlock(ls[i+1 : min(i+5, len(ls))]) {
				cut = i
				break
			}
		}
	}
	ls = ls[:cut]
	for len(ls) > 0 {
		t := strings.TrimSpace(ls[len(ls)-1])
		if t == "" || strings.HasPrefix(t, ">") {
			ls = ls[:len(ls)-1]
			continue
		}
		break
	}
	return strings.TrimSpace(strings.Join(ls, "\n"))
}

// outlookBlock says the lines after a "From:" line are the rest of a quoted header block.
func outlookBlock(ls []string) bool {
	n := 0
	for _, l := range ls {
		label, _, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok {
			continue
		}
		switch strings.ToLower(label) {
		case "sent", "date", "to", "subject", "cc", "gesendet", "an", "betreff", "envoyé", "objet", "à":
			n++
		}
	}
	return n >= 2
}

// OrderMentions finds the order numbers text names, each once, in the order they appear, at most five.
// A "#" number is kept with its "#" off; callers match it against numbers stored with or without one.
func OrderMentions(text string) []string {
	type hit struct {
		at int
		id string
	}
	var hits []hit
	for _, re := range []*regexp.Regexp{mentionAmazon, mentionEbay, mentionHash, mentionWord} {
		for _, m := range re.FindAllStringSubmatchIndex(text, 50) {
			hits = append(hits, hit{m[2], text[m[2]:m[3]]})
		}
	}
	// By position, so the first number the customer wrote comes first.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].at < hits[j-1].at; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	var out []string
	for _, h := range hits {
		if len(out) == maxMentions {
			break
		}
		if !hasDigit(h.id) {
			continue
		}
		out = appendOnce(out, strings.ToUpper(h.id))
	}
	return out
}

func hasDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}

// marketplaceSender says addr is one a marketplace sends its notifications or relayed buyer messages
// from. A marketplace's mail is never a customer's own word to the shop.
func marketplaceSender(addr string) bool {
	return domainIs(addr, "etsy.com", "ebay.com", "ebay.co.uk", "ebay.de", "ebay.com.au", "ebay.ca", "ebay.fr", "ebay.it", "ebay.es",
		"amazon.com", "amazon.co.uk", "amazon.de", "amazon.ca", "amazon.com.au", "amazon.fr", "amazon.it", "amazon.es",
		"marketplace.amazon.com", "shopify.com", "shopifyemail.com", "walmart.com", "tiktok.com", "tiktokshop.com", "paypal.com")
}
