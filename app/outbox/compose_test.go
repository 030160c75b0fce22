package outbox_test

import (
	"bytes"
	"errors"
	"io"
	"net/mail"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/backroom-app/backroom/app/outbox"
	"github.com/backroom-app/backroom/data"
)

type mailAddress = mail.Address

// checkCustomerMessage reads raw, composed from customerMessage, as a mail program would and checks
// every header and both parts against values worked out by hand.
func checkCustomerMessage(t *testing.T, raw []byte) {
	t.Helper()
	head, _, found := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !found {
		t.Fatalf("no blank CRLF line after the header:\n%s", raw)
	}
	for i, b := range head {
		if b >= 0x80 {
			t.Fatalf("the header has a raw non-ASCII byte at %d: names and subject must be encoded:\n%s", i, head)
		}
	}
	unfolded := strings.ReplaceAll(string(head)+"\r\n", "\r\n ", " ")
	for _, line := range []string{
		"To: =?utf-8?q?Zo=C3=AB_Bront=C3=AB?= <zoe@example.org>",
		"Date: Fri, 27 Nov 2026 08:00:00 +0000",
		// 2026-11-26 09:30 UTC is 1795685400000000000 ns, dn51ckiowe80 in base 36.
		"Message-Id: <backroom.42.7.dn51ckiowe80@shop.example>",
		"X-Backroom-Order: 42",
		"X-Backroom-Outbox: 7",
		"Mime-Version: 1.0",
	} {
		if !strings.Contains(unfolded, line+"\r\n") {
			t.Errorf("header lacks %q:\n%s", line, head)
		}
	}

	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	to, err := r.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Zoë Brontë" || to[0].Address != "zoe@example.org" {
		t.Errorf("To = %v (%v), want Zoë Brontë <zoe@example.org>", to, err)
	}
	subject, err := r.Header.Subject()
	if err != nil || subject != "Your order 1001 is on its way — thank you, Zoë!" {
		t.Errorf("Subject = %q (%v), want the template's subject", subject, err)
	}
	if !strings.Contains(unfolded, "Subject: =?utf-8?q?") {
		t.Errorf("the subject is not RFC 2047 encoded:\n%s", head)
	}
	kind, _, _ := r.Header.ContentType()
	if kind != "multipart/alternative" {
		t.Errorf("Content-Type = %s, want multipart/alternative", kind)
	}
	var parts []string
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		h := p.Header.(*gomail.InlineHeader)
		kind, params, _ := h.ContentType()
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, kind+"; charset="+params["charset"]+"\n"+string(body))
	}
	want := []string{
		"text/plain; charset=utf-8\nHello Zoë,\r\n\r\nyour parcel left today.\r\n",
		"text/html; charset=utf-8\n<p>Hello Zoë,</p><p>your parcel left today.</p>",
	}
	if len(parts) != len(want) {
		t.Fatalf("parts = %q, want %q", parts, want)
	}
	for i := range want {
		if parts[i] != want[i] {
			t.Errorf("part %d = %q, want %q", i, parts[i], want[i])
		}
	}
}

func TestCompose_Alternative(t *testing.T) {
	c, err := outbox.Compose(customerMessage(), &mail.Address{Name: "Moss & Tea Café", Address: "orders@shop.example"},
		time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if c.From != "orders@shop.example" || c.To != "zoe@example.org" || c.MessageID != "backroom.42.7.dn51ckiowe80@shop.example" {
		t.Errorf("envelope %s -> %s, id %s", c.From, c.To, c.MessageID)
	}
	checkCustomerMessage(t, c.Raw)
	r, err := gomail.CreateReader(bytes.NewReader(c.Raw))
	if err != nil {
		t.Fatal(err)
	}
	from, err := r.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Moss & Tea Café" {
		t.Errorf("From = %v (%v), want Moss & Tea Café", from, err)
	}
}

func TestCompose_PlainTextOnly(t *testing.T) {
	m := customerMessage()
	m.HTML = ""
	m.Subject = "Shipped\nwith a line break"
	c, err := outbox.Compose(m, &mail.Address{Address: "orders@shop.example"}, time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := bytes.Cut(c.Raw, []byte("\r\n\r\n"))
	for _, line := range []string{"Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable",
		"Subject: Shipped with a line break", "From: <orders@shop.example>"} {
		if !strings.Contains(string(head)+"\r\n", line+"\r\n") {
			t.Errorf("header lacks %q:\n%s", line, head)
		}
	}
	if got, want := string(body), "Hello Zo=C3=AB,\r\n\r\nyour parcel left today.\r\n"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
}

func TestCompose_Invalid(t *testing.T) {
	from := &mail.Address{Address: "orders@shop.example"}
	date := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		change func(*data.OutboxMessage)
		from   *mail.Address
		want   string
	}{
		"NoAddress":     {func(m *data.OutboxMessage) { m.To = "" }, from, "customer's e-mail address is missing for order 1001"},
		"BadAddress":    {func(m *data.OutboxMessage) { m.To = "zoe at example" }, from, `"zoe at example" for order 1001 is not valid`},
		"TwoAddresses":  {func(m *data.OutboxMessage) { m.To = "a@example.org, b@example.org" }, from, "is not valid"},
		"HeaderInjects": {func(m *data.OutboxMessage) { m.To = "a@example.org\r\nBcc: x@example.org" }, from, "is not valid"},
		"NoText":        {func(m *data.OutboxMessage) { m.Text, m.HTML = " ", "" }, from, "has no text"},
		"NoSender":      {func(*data.OutboxMessage) {}, &mail.Address{}, "sender's e-mail address is missing"},
	} {
		t.Run(name, func(t *testing.T) {
			m := customerMessage()
			tc.change(&m)
			_, err := outbox.Compose(m, tc.from, date)
			if !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrInvalid containing %q", err, tc.want)
			}
		})
	}
}

func TestParseMessageID(t *testing.T) {
	for id, want := range map[string][3]int64{
		"<backroom.42.7.dn51ckiowe80@shop.example>": {42, 7, 1},
		"backroom.0.9.abc@shop.example":             {0, 9, 1},
		"<CAF123@mail.gmail.com>":                   {0, 0, 0},
		"backroom.42.x.abc@shop.example":            {0, 0, 0},
		"backroom.42.7.abc":                         {0, 0, 0},
	} {
		o, m, ok := outbox.ParseMessageID(id)
		okN := int64(0)
		if ok {
			okN = 1
		}
		if got := [3]int64{o, m, okN}; got != want {
			t.Errorf("ParseMessageID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestPasteText(t *testing.T) {
	m := data.OutboxMessage{Subject: "Your order\nhas shipped", Text: "Hello Zoë,\r\nit left today.\r\n"}
	if got, want := outbox.PasteText(m), "Your order has shipped\n\nHello Zoë,\nit left today."; got != want {
		t.Errorf("PasteText = %q, want %q", got, want)
	}
	m.Subject = ""
	if got, want := outbox.PasteText(m), "Hello Zoë,\nit left today."; got != want {
		t.Errorf("PasteText without subject = %q, want %q", got, want)
	}
}

// A reply to a support ticket carries the customer's thread, so their mail program shows it under
// their own mail; junk in the stored IDs is left out rather than breaking the header.
func TestCompose_ThreadingHeaders(t *testing.T) {
	date := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	from := &mail.Address{Name: "Tannery Pots", Address: "shop@tannery.example"}
	m := customerMessage()
	m.InReplyTo = "c2@mail.example"
	m.References = "c1@mail.example bad<id c2@mail.example"
	c, err := outbox.Compose(m, from, date)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gomail.CreateReader(bytes.NewReader(c.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get("In-Reply-To"); got != "<c2@mail.example>" {
		t.Errorf("In-Reply-To = %q", got)
	}
	if got := r.Header.Get("References"); got != "<c1@mail.example> <c2@mail.example>" {
		t.Errorf("References = %q", got)
	}
	m.References = "c1@mail.example"
	c, _ = outbox.Compose(m, from, date)
	r, _ = gomail.CreateReader(bytes.NewReader(c.Raw))
	if got := r.Header.Get("References"); got != "<c1@mail.example> <c2@mail.example>" {
		t.Errorf("References without the replied-to mail = %q, want it appended", got)
	}
	// A message that answers nothing has neither header.
	c, _ = outbox.Compose(customerMessage(), from, date)
	if bytes.Contains(c.Raw, []byte("In-Reply-To")) || bytes.Contains(c.Raw, []byte("References")) {
		t.Error("a rule's message carries threading headers")
	}
}
