package ordermail

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

const customerReply = "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jurgen@example.de>\r\n" +
	"To: Kiln & Co <hello@kilnandco.example>\r\n" +
	"Subject: Re: Your Kiln & Co order #1042 is on its way\r\n" +
	"Message-ID: <CAF=abc123@mail.example.de>\r\n" +
	"In-Reply-To: <backroom.17.42.lx3k2@kilnandco.example>\r\n" +
	"References: <first@example.de>\r\n <backroom.17.42.lx3k2@kilnandco.example>\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"Hello, the mug arrived broken. Can I get a new one?\r\n" +
	"\r\n" +
	"On Tue, 24 Nov 2026 at 10:02, Kiln & Co <hello@kilnandco.example>\r\n" +
	"wrote:\r\n" +
	"> Hello Jürgen, your order #1042 left us today.\r\n" +
	"> Tracking 123-4567890-1234567\r\n"

func TestReadCustomerMailReply(t *testing.T) {
	c, err := ReadCustomerMail(strings.NewReader(customerReply))
	if err != nil {
		t.Fatal(err)
	}
	if c.From != "Jürgen Müller <jurgen@example.de>" || c.Address != "jurgen@example.de" {
		t.Errorf("from %q address %q", c.From, c.Address)
	}
	if c.MessageID != "CAF=abc123@mail.example.de" {
		t.Errorf("message id %q", c.MessageID)
	}
	if want := []string{"backroom.17.42.lx3k2@kilnandco.example"}; !reflect.DeepEqual(c.InReplyTo, want) {
		t.Errorf("in-reply-to %q, want %q", c.InReplyTo, want)
	}
	if want := []string{"first@example.de", "backroom.17.42.lx3k2@kilnandco.example"}; !reflect.DeepEqual(c.References, want) {
		t.Errorf("references %q, want %q", c.References, want)
	}
	if want := "Hello, the mug arrived broken. Can I get a new one?"; c.Text != want {
		t.Errorf("text %q, want %q (the quoted history cut off)", c.Text, want)
	}
	// The Amazon-shaped number is only in the quoted part, which is gone.
	if want := []string{"1042"}; !reflect.DeepEqual(c.Mentions, want) {
		t.Errorf("mentions %q, want %q", c.Mentions, want)
	}
	if c.Marketplace {
		t.Error("a customer taken for a marketplace")
	}
}

func TestReadCustomerMailHTMLAndMarketplace(t *testing.T) {
	raw := "From: Etsy <transaction@etsy.com>\r\nSubject: Order 3301234567 shipped\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Your order 3301234567</p><p>has shipped</p><script>x()</script>"
	c, err := ReadCustomerMail(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Marketplace {
		t.Error("etsy.com not taken for a marketplace")
	}
	if c.Text != "Your order 3301234567\nhas shipped" {
		t.Errorf("html text %q", c.Text)
	}
	if want := []string{"3301234567"}; !reflect.DeepEqual(c.Mentions, want) {
		t.Errorf("mentions %q", c.Mentions)
	}
}

func TestOrderMentions(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Where is my order #1042?", []string{"1042"}},
		{"order no. 55012 and Order Number: 55013", []string{"55012", "55013"}},
		{"Bestellung 77123 ist nicht da", []string{"77123"}},
		{"amazon 114-1234567-7654321 please", []string{"114-1234567-7654321"}},
		{"ebay item 12-34567-89012", []string{"12-34567-89012"}},
		{"order 114-1234567-7654321 late", []string{"114-1234567-7654321"}},
		// Not orders: bare numbers, postcodes, phone numbers, prices, colours, short bullets, words.
		{"Call me on 0171 5551234, I live at 10115 Berlin, paid $45.00", nil},
		{"colour #ff0000 and item #1 and #12", nil},
		{"I ordered 300 mugs in order to sell them", nil},
		{"order re-shipped please", nil},
		{"#1 #2 #3 order 1001 order 1002 order 1003 order 1004 order 1005 order 1006", []string{"1001", "1002", "1003", "1004", "1005"}},
		{"&#1234; is an entity", nil},
	} {
		if got := OrderMentions(tc.text); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("OrderMentions(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestTrimQuoted(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Thanks!\n\nOn Mon, 2 Nov 2026, Shop <a@b.c> wrote:\n> old", "Thanks!"},
		{"Danke\nAm 2. Nov. 2026 um 10:00 schrieb Shop <a@b.c>:\n> alt", "Danke"},
		{"Hi\n\n-----Original Message-----\nFrom: x", "Hi"},
		{"Hi there\n\nFrom: Shop <a@b.c>\nSent: Monday\nTo: me\nSubject: Your order", "Hi there"},
		{"> quoted first\nmy answer\n> trailing quote\n>", "> quoted first\nmy answer"},
		{"From: the start is not a block\nhello", "From: the start is not a block\nhello"},
	} {
		if got := TrimQuoted(tc.in); got != tc.want {
			t.Errorf("TrimQuoted(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestThreadIDs(t *testing.T) {
	if got := threadIDs("bare@id.example"); !reflect.DeepEqual(got, []string{"bare@id.example"}) {
		t.Errorf("bare id: %q", got)
	}
	var b strings.Builder
	for i := range 30 {
		b.WriteString("<id" + string(rune('a'+i%26)) + strings.Repeat("x", i) + "@h> ")
	}
	got := threadIDs(b.String())
	if len(got) != maxThreadIDs || !strings.HasPrefix(got[len(got)-1], "id"+string(rune('a'+29%26))) {
		t.Errorf("long references kept %d, last %q", len(got), got[len(got)-1])
	}
}

func FuzzReadCustomerMail(f *testing.F) {
	f.Add([]byte(customerReply))
	f.Add([]byte("From: a@b\r\nIn-Reply-To: <<<>>> x@y\r\nReferences: <a@b> <a@b>\r\n\r\norder #123 On x wrote:\n> y"))
	f.Add([]byte("Subject: order 12-34567-89012\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>#12345</p>\r\n--b--\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ReadCustomerMail(bytes.NewReader(b))
		if err != nil {
			return
		}
		if len(c.Mentions) > maxMentions || len(c.InReplyTo) > maxThreadIDs || len(c.References) > maxThreadIDs {
			t.Fatalf("unbounded lists: %d mentions, %d in-reply-to, %d references", len(c.Mentions), len(c.InReplyTo), len(c.References))
		}
		for _, m := range c.Mentions {
			if !hasDigit(m) || strings.ContainsAny(m, " \r\n#") {
				t.Fatalf("mention %q is no order number", m)
			}
		}
		for _, id := range append(c.InReplyTo, c.References...) {
			if id == "" || strings.ContainsAny(id, "<> \r\n") {
				t.Fatalf("message id %q", id)
			}
		}
		if !utf8.ValidString(c.Text) || !utf8.ValidString(c.Subject) {
			t.Fatal("invalid UTF-8 out")
		}
	})
}
