package ordermail

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/backroom-app/backroom/data"
)

// htmlText turns HTML into lines of text the label parsers read: block elements and table cells end a
// line, scripts and styles are dropped. JSON-LD blocks are returned apart.
func htmlText(src string) (text string, jsonLD []string) {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0 // inside script, style or title
	inLD := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String(), jsonLD
		case html.TextToken:
			if inLD {
				jsonLD = append(jsonLD, string(z.Text()))
				continue
			}
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script:
				if tt == html.StartTagToken {
					for hasAttr {
						var k, v []byte
						k, v, hasAttr = z.TagAttr()
						if string(k) == "type" && strings.EqualFold(string(v), "application/ld+json") {
							inLD = true
						}
					}
					if !inLD {
						skip++
					}
				} else if tt == html.EndTagToken {
					if inLD {
						inLD = false
					} else if skip > 0 {
						skip--
					}
				}
				continue
			case atom.Style, atom.Title:
				// Not <head>: mail often leaves it unclosed, and skipping to a </head> that never
				// comes would lose the whole body.
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			case atom.Br, atom.P, atom.Div, atom.Tr, atom.Td, atom.Th, atom.Li, atom.Ul, atom.Ol, atom.Table,
				atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Address, atom.Hr, atom.Blockquote:
				b.WriteByte('\n')
			case atom.Span, atom.Strong, atom.B, atom.A:
				// Inline, but senders write label and value in neighbouring spans without a space.
				if tt == html.EndTagToken {
					b.WriteByte(' ')
				}
			}
		}
	}
}

// invisible are the characters senders pad preheaders with (eBay repeats U+034F U+200C) and the
// zero-width ones that break label matching.
var invisible = strings.NewReplacer(
	"\u034f", "", "\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\ufeff", "", "\u00ad", "",
	"\u00a0", " ", "\u202f", " ", "\u2007", " ", "\r", "",
)

var (
	angleLink = regexp.MustCompile(`<(?:https?|mailto):[^>\s]*>`)
	imageLink = regexp.MustCompile(`\[(?:https?|cid):[^\]\s]*\]`)
)

// lines normalises text into trimmed, non-empty lines with single spaces: invisible padding, NBSPs and
// the <https://…> suffixes text parts put after links are removed.
func lines(text string) []string {
	text = invisible.Replace(text)
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "<") {
			l = angleLink.ReplaceAllString(l, "")
		}
		if strings.Contains(l, "[") {
			l = imageLink.ReplaceAllString(l, "")
		}
		l = strings.Join(strings.Fields(l), " ")
		// Quoted forwards prefix every line with "> ".
		for strings.HasPrefix(l, ">") {
			l = strings.TrimSpace(l[1:])
		}
		if l != "" {
			out = append(out, l)
		}
		if len(out) == maxLines {
			// Notifications are a few hundred lines; the cap keeps the label scans, which look ahead
			// from every item, from growing with the square of a huge message.
			break
		}
	}
	return out
}

const maxLines = 3000

// textLines are the lines of a label parser's text: the plain part, or the HTML's text when the mail
// has no plain part or its plain part is an empty "view this in HTML" stub.
type textLines []string

// value finds the first line from start on that begins with label (case-insensitive) and returns what
// follows it, or the next line when the label stands alone ("Order total:\n$37.89"). It returns the
// index of the line the value is on, or -1.
func (ls textLines) value(start int, labels ...string) (string, int) {
	for i := max(start, 0); i < len(ls); i++ {
		for _, label := range labels {
			l := ls[i]
			if len(l) < len(label) || !strings.EqualFold(l[:len(label)], label) {
				continue
			}
			rest := strings.TrimSpace(l[len(label):])
			if rest == "" {
				if i+1 < len(ls) {
					return ls[i+1], i + 1
				}
				return "", -1
			}
			return rest, i
		}
	}
	return "", -1
}

// index is the first line from start on that equals one of want (case-insensitive), or -1.
func (ls textLines) index(start int, want ...string) int {
	for i := max(start, 0); i < len(ls); i++ {
		for _, w := range want {
			if strings.EqualFold(ls[i], w) {
				return i
			}
		}
	}
	return -1
}

var (
	usCityLine = regexp.MustCompile(`^(.+?),?\s+([A-Za-z]{2})\s+(\d{5}(?:-\d{4})?)$`)
	caCityLine = regexp.MustCompile(`^(.+?),?\s+([A-Za-z]{2})\s+([A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d)$`)
	// euCityLine is "75001 Paris" or "D-10115 Berlin".
	euCityLine = regexp.MustCompile(`^(?:[A-Z]{1,2}-)?(\d{4,5})\s+(.+)$`)
	ukCityLine = regexp.MustCompile(`^(.+?),?\s+([A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$`)
	phoneLine  = regexp.MustCompile(`^(?:(?:Phone|Tel)[.:]?\s*)?\+?[\d\s().-]{7,}$`)
)

// countries are names senders write an address's last line with, for telling a country line from a
// city line. Anything else at the end is kept as the country as written.
var countries = map[string]string{
	"united states": "US", "united states of america": "US", "usa": "US", "us": "US", "canada": "CA",
	"united kingdom": "GB", "uk": "GB", "great britain": "GB", "germany": "DE", "deutschland": "DE", "france": "FR",
	"australia": "AU", "ireland": "IE", "netherlands": "NL", "italy": "IT", "spain": "ES", "austria": "AT",
	"belgium": "BE", "switzerland": "CH", "new zealand": "NZ", "sweden": "SE", "denmark": "DK",
}

// parseAddress reads an address block as notifications print it: name, one or two street lines, a
// city line, a country. Lines it cannot place are reported.
func parseAddress(block []string) (data.Address, []data.Problem) {
	var a data.Address
	var problems []data.Problem
	var rest []string
	for _, l := range block {
		if phoneLine.MatchString(l) || strings.Contains(l, "@") {
			continue // phone numbers and e-mail addresses are not part of the postal address
		}
		rest = append(rest, l)
	}
	if len(rest) == 0 {
		return a, nil
	}
	a.Name, rest = rest[0], rest[1:]
	if n := len(rest); n > 0 {
		if code, ok := countries[strings.ToLower(rest[n-1])]; ok {
			a.Country, rest = code, rest[:n-1]
		} else if n >= 3 {
			a.Country, rest = rest[n-1], rest[:n-1]
		}
	}
	if n := len(rest); n > 0 {
		city := rest[n-1]
		switch m := usCityLine.FindStringSubmatch(city); {
		case m != nil:
			a.City, a.Region, a.Postcode = m[1], strings.ToUpper(m[2]), m[3]
			rest = rest[:n-1]
		default:
			if m := caCityLine.FindStringSubmatch(city); m != nil {
				a.City, a.Region, a.Postcode = m[1], strings.ToUpper(m[2]), strings.ToUpper(m[3])
				rest = rest[:n-1]
			} else if m := ukCityLine.FindStringSubmatch(city); m != nil {
				a.City, a.Postcode = m[1], m[2]
				rest = rest[:n-1]
			} else if m := euCityLine.FindStringSubmatch(city); m != nil {
				a.Postcode, a.City = m[1], m[2]
				rest = rest[:n-1]
			} else if len(rest) >= 2 {
				a.City = city
				rest = rest[:n-1]
				problems = append(problems, data.Problem{Column: "Shipping address", Value: city,
					Reason: "no postcode was found on the address's city line", Warning: true})
			}
		}
	}
	if len(rest) > 0 {
		a.Line1 = rest[0]
	}
	if len(rest) > 1 {
		a.Line2 = strings.Join(rest[1:], ", ")
	}
	if a.Line1 == "" {
		problems = append(problems, data.Problem{Column: "Shipping address", Value: strings.Join(block, ", "),
			Reason: "the address has no street line", Warning: true})
	}
	return a, problems
}
