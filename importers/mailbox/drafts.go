package mailbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/backroom-app/backroom/data"
)

// DraftsFolder is the folder drafts go to when the server marks none as \Drafts (RFC 6154 SPECIAL-USE)
// and has no folder of that name either: the name every mail program looks for.
const DraftsFolder = "Drafts"

// Drafts is a logged-in connection to the account's drafts folder, for the "save as draft" route of
// customer messages: Backroom writes the message, a person reads it over and sends it from their own
// mail program, so it leaves from the shop's real mailbox and lands in its Sent folder.
type Drafts struct {
	s *session
	// Folder is the drafts folder found on the server.
	Folder string
	// create says the folder did not exist when it was looked for; the first Append makes it.
	create bool
}

// OpenDrafts connects, logs in and finds the drafts folder: the one the server marks \Drafts, else one
// called Drafts (at the top or as the last part of a path, such as INBOX.Drafts), else Drafts, which the
// first Append creates.
func OpenDrafts(ctx context.Context, acct data.MailAccount, opt Options) (*Drafts, error) {
	s, err := connect(ctx, acct, opt, nil)
	if err != nil {
		return nil, err
	}
	folder, exists, err := s.findDrafts(ctx)
	if err != nil {
		s.close()
		return nil, err
	}
	return &Drafts{s: s, Folder: folder, create: !exists}, nil
}

// findDrafts lists the folders and picks the drafts folder.
func (s *session) findDrafts(ctx context.Context) (folder string, exists bool, err error) {
	var boxes []*imap.ListData
	err = s.do(ctx, "listing the folders", func(kick func()) error {
		var options *imap.ListOptions
		if s.client.Caps().Has(imap.CapSpecialUse) {
			// Servers that announce SPECIAL-USE must mark the folders when asked; others may do so anyway.
			options = &imap.ListOptions{ReturnSpecialUse: true}
		}
		cmd := s.client.List("", "*", options)
		for {
			box := cmd.Next()
			if box == nil {
				break
			}
			kick()
			boxes = append(boxes, box)
		}
		return cmd.Close()
	})
	if err != nil {
		return "", false, err
	}
	return pickDrafts(boxes)
}

// pickDrafts chooses among the listed folders, in the order OpenDrafts documents.
func pickDrafts(boxes []*imap.ListData) (string, bool, error) {
	for _, b := range boxes {
		for _, a := range b.Attrs {
			if strings.EqualFold(string(a), string(imap.MailboxAttrDrafts)) {
				return b.Mailbox, true, nil
			}
		}
	}
	for _, b := range boxes {
		if strings.EqualFold(b.Mailbox, DraftsFolder) {
			return b.Mailbox, true, nil
		}
	}
	for _, b := range boxes {
		if b.Delim == 0 {
			continue
		}
		parts := strings.Split(b.Mailbox, string(b.Delim))
		if strings.EqualFold(parts[len(parts)-1], DraftsFolder) {
			return b.Mailbox, true, nil
		}
	}
	return DraftsFolder, false, nil
}

// Append saves one message (RFC 5322, CRLF line endings) in the drafts folder, flagged \Draft and \Seen
// so it shows as a draft and not as unread mail. date becomes its INTERNALDATE; zero lets the server
// choose.
func (d *Drafts) Append(ctx context.Context, raw []byte, date time.Time) error {
	if len(raw) == 0 {
		return failure(data.ErrInvalid, nil, "the draft is empty")
	}
	if d.create {
		err := d.s.do(ctx, "creating the folder "+d.Folder, func(func()) error {
			return d.s.client.Create(d.Folder, nil).Wait()
		})
		var imapErr *imap.Error
		if err != nil && !(errors.As(err, &imapErr) && imapErr.Code == imap.ResponseCodeAlreadyExists) {
			return err
		}
		d.create = false
	}
	opts := &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDraft, imap.FlagSeen}, Time: date}
	err := d.s.do(ctx, "saving the draft in "+d.Folder, func(func()) error {
		cmd := d.s.client.Append(d.Folder, int64(len(raw)), opts)
		if _, err := bytes.NewReader(raw).WriteTo(cmd); err != nil {
			cmd.Close()
			return fmt.Errorf("write the draft: %w", err)
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("finish the draft: %w", err)
		}
		_, err := cmd.Wait()
		return err
	})
	// A refusal reads "the mail server … refused saving the draft in Drafts (it said: …)" already.
	return err
}

// Close logs out and closes the connection.
func (d *Drafts) Close() {
	if d != nil {
		d.s.close()
	}
}

// AppendDraft connects, saves one message in the drafts folder and logs out; it returns the folder.
func AppendDraft(ctx context.Context, acct data.MailAccount, opt Options, raw []byte, date time.Time) (string, error) {
	d, err := OpenDrafts(ctx, acct, opt)
	if err != nil {
		return "", err
	}
	defer d.Close()
	if err := d.Append(ctx, raw, date); err != nil {
		return d.Folder, err
	}
	return d.Folder, nil
}
