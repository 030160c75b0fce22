package mailbox

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/backroom-app/backroom/data"
)

// Sync fetches every message new since the last sync from each folder of the account, parses it and
// applies it to the store in batches; it never marks mail read, moves or deletes it. The error is in
// words a shop owner understands (wrong password, certificate problem with its reason, server
// unreachable, timed out). The run is logged in the store, cancelled or not.
func Sync(ctx context.Context, st *data.Store, acct data.MailAccount, opt Options) (data.MailResult, error) {
	opt = opt.withDefaults()
	started := time.Now()
	s, err := connect(ctx, acct, opt, nil)
	if err != nil {
		return data.MailResult{}, logRun(ctx, st, acct, started, data.MailResult{}, err)
	}
	defer s.close()
	res, err := s.syncFolders(ctx, st, acct, opt, folders(acct))
	return res, logRun(ctx, st, acct, started, res, err)
}

// logRun records one sync in the store and returns the sync's error, or the log's when the sync
// succeeded but could not be recorded.
func logRun(ctx context.Context, st *data.Store, acct data.MailAccount, started time.Time, res data.MailResult, err error) error {
	run := data.MailSyncRun{AccountID: acct.ID, Started: started, Finished: time.Now(), Result: res}
	if err != nil {
		run.Error = err.Error()
		// However the cancellation surfaced (a closed connection, a rolled-back transaction), a run
		// that failed after ctx ended was cancelled.
		run.Cancelled = ctx.Err() != nil
	}
	// A cancelled sync is still logged, so the log outlives ctx.
	if logErr := st.LogMailSync(context.WithoutCancel(ctx), run); logErr != nil && err == nil {
		return fmt.Errorf("log mail sync of %s: %w", acct.Label(), logErr)
	}
	return err
}

// syncFolders syncs the folders in the given order on one connection and sums their results.
func (s *session) syncFolders(ctx context.Context, st *data.Store, acct data.MailAccount, opt Options, names []string) (data.MailResult, error) {
	var total data.MailResult
	for _, name := range names {
		if err := s.syncFolder(ctx, st, acct, opt, name, &total); err != nil {
			return total, err
		}
	}
	return total, nil
}

// fetched is one message as the server sent it.
type fetched struct {
	uid      uint32
	received time.Time
	raw      []byte
}

// syncFolder takes every message of one folder newer than the store's position, batch by batch.
func (s *session) syncFolder(ctx context.Context, st *data.Store, acct data.MailAccount, opt Options, folder string, total *data.MailResult) error {
	state, err := st.MailFolderState(ctx, acct.ID, folder)
	if err != nil {
		return fmt.Errorf("read sync position of folder %s: %w", folder, err)
	}
	var sel *imap.SelectData
	err = s.do(ctx, "opening folder "+folder, func(func()) error {
		var err error
		sel, err = s.client.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait() // EXAMINE: nothing is marked read
		return err
	})
	if err != nil {
		return s.folderError(folder, err)
	}

	last := state.LastUID
	renumbered := state.UIDValidity != sel.UIDValidity
	if renumbered {
		// The server renumbered the folder (or it was never synced): read it again from the start.
		// The store recognises messages it already has by Message-ID and content hash.
		last = 0
	}
	uidNext := uint32(sel.UIDNext) // 0 when the server left it out; then only the search can tell
	// position moves the folder's stored position without messages, so a renumbered folder is
	// remembered and later syncs skip what the search passed over.
	position := func(lastUID uint32) error {
		if !renumbered && lastUID <= state.LastUID {
			return nil
		}
		_, err := st.ApplyMail(ctx, data.MailBatch{AccountID: acct.ID, Folder: folder, UIDValidity: sel.UIDValidity, LastUID: lastUID})
		if err != nil {
			return fmt.Errorf("store sync position of folder %s: %w", folder, err)
		}
		renumbered, state.LastUID = false, lastUID
		return nil
	}
	if sel.NumMessages == 0 || (uidNext != 0 && uidNext <= last+1) {
		// Nothing new: the quick path of a sync with no new mail, one EXAMINE per folder.
		top := last
		if uidNext > 0 {
			top = max(top, uidNext-1)
		}
		return position(top)
	}

	uids, err := s.newUIDs(ctx, folder, last, acct.Senders)
	if err != nil {
		return err
	}
	batches, stopFetching := s.fetchBatches(ctx, acct, folder, uids, opt.BatchSize)
	defer stopFetching()
	done := 0
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		res, err := st.ApplyMail(ctx, data.MailBatch{
			AccountID: acct.ID, Folder: folder, UIDValidity: sel.UIDValidity, LastUID: b.last, Messages: b.msgs,
		})
		if err != nil {
			return fmt.Errorf("store mail from folder %s: %w", folder, err)
		}
		renumbered, state.LastUID = false, b.last
		total.Add(res)
		done += b.asked
		if opt.Progress != nil {
			opt.Progress(Progress{Folder: folder, Done: done, Total: len(uids), Result: *total})
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sync folder %s: %w", folder, err)
		}
	}
	// Every UID below UIDNEXT existed when the folder was opened and the search saw it: those the
	// sender filter left out need no second look.
	if uidNext > 0 {
		return position(max(state.LastUID, uidNext-1))
	}
	return position(state.LastUID)
}

// batch is one FETCH's worth of messages, parsed and ready for the store.
type batch struct {
	asked int    // UIDs asked for
	last  uint32 // the highest of them
	msgs  []data.MailMessage
	err   error // the fetch failed; the batch is empty and the last one
}

// fetchBatches fetches and parses the UIDs batch by batch on its own goroutine, one batch ahead of
// the store: the network and the parsers work while the previous batch is written. The channel is
// closed after the last batch or the first failure. stop ends the fetching early and waits for the
// goroutine, so the connection is the caller's again; it is safe to call after the channel closed.
func (s *session) fetchBatches(ctx context.Context, acct data.MailAccount, folder string, uids []uint32, size int) (<-chan batch, func()) {
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan batch, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(out)
		for start := 0; start < len(uids); start += size {
			asked := uids[start:min(start+size, len(uids))]
			fetched, err := s.fetch(ctx, folder, asked)
			b := batch{asked: len(asked), err: err}
			if err == nil {
				// The batch's last UID, not the last message received: a message expunged between
				// the search and the fetch is gone for good and must not be asked for again.
				b.last = asked[len(asked)-1]
				b.msgs = make([]data.MailMessage, len(fetched))
				parse(fetched, b.msgs)
				for i := range b.msgs {
					b.msgs[i].AccountID, b.msgs[i].Folder, b.msgs[i].UID = acct.ID, folder, fetched[i].uid
				}
			}
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	// Stopping while a FETCH is running closes the connection (the guard follows ctx). That is only
	// done when the sync fails or is cancelled, so the connection is not wanted any more.
	return out, func() {
		cancel()
		<-finished
	}
}

// newUIDs searches the folder for messages above last, from the account's senders if it names any,
// in ascending order.
func (s *session) newUIDs(ctx context.Context, folder string, last uint32, senders []string) ([]uint32, error) {
	var rng imap.UIDSet
	rng.AddRange(imap.UID(last+1), 0) // last+1:*
	criteria := &imap.SearchCriteria{UID: []imap.UIDSet{rng}}
	if from := senderCriteria(senders); from != nil {
		criteria.And(from)
	}
	var found *imap.SearchData
	err := s.do(ctx, "searching folder "+folder+" for new mail", func(func()) error {
		var err error
		found, err = s.client.UIDSearch(criteria, nil).Wait()
		return err
	})
	if err != nil {
		return nil, err
	}
	var uids []uint32
	for _, uid := range found.AllUIDs() {
		// "n:*" always matches the highest UID, even below n (RFC 3501): drop what was taken before.
		if uint32(uid) > last {
			uids = append(uids, uint32(uid))
		}
	}
	slices.Sort(uids)
	return slices.Compact(uids), nil
}

// senderCriteria matches mail from any of the senders (addresses or @domains, matched as IMAP does,
// by substring of the From header); nil when there are none.
func senderCriteria(senders []string) *imap.SearchCriteria {
	var c *imap.SearchCriteria
	for _, sender := range senders {
		if sender == "" {
			continue
		}
		from := imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: sender}}}
		if c == nil {
			c = &from
			continue
		}
		c = &imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{*c, from}}}
	}
	return c
}

// fetch reads whole messages by UID: only UID, INTERNALDATE, RFC822.SIZE and BODY.PEEK[], because a
// server's malformed ENVELOPE or BODYSTRUCTURE would fail the whole FETCH, and PEEK leaves them unread.
// The timeout restarts with each message, so a large batch on a slow line is not cut off.
func (s *session) fetch(ctx context.Context, folder string, uids []uint32) ([]fetched, error) {
	if len(uids) == 0 {
		return nil, nil // an empty UID set is a protocol error
	}
	var set imap.UIDSet
	for _, uid := range uids {
		set.AddNum(imap.UID(uid))
	}
	section := &imap.FetchItemBodySection{Peek: true}
	options := &imap.FetchOptions{UID: true, InternalDate: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{section}}
	msgs := make([]fetched, 0, len(uids))
	err := s.do(ctx, "fetching messages from folder "+folder, func(kick func()) error {
		cmd := s.client.Fetch(set, options)
		for m := cmd.Next(); m != nil; m = cmd.Next() {
			f, err := collect(m)
			if err != nil {
				// The line broke mid-message. go-imap (beta.8) would read the broken literal again in
				// Collect or Close while its own reader goroutine moves on: a data race on the
				// connection's buffer. Close the connection and leave the command alone instead.
				s.client.Close()
				return err
			}
			kick()
			if _, asked := slices.BinarySearch(uids, f.uid); !asked {
				continue // an unasked-for FETCH (flags changed elsewhere), not one of ours
			}
			msgs = append(msgs, f)
		}
		return cmd.Close()
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(msgs, func(a, b fetched) int { return cmp.Compare(a.uid, b.uid) })
	return slices.CompactFunc(msgs, func(a, b fetched) bool { return a.uid == b.uid }), nil
}

// collect reads one message's UID, INTERNALDATE and body, stopping at the first failed read (see fetch).
func collect(m *imapclient.FetchMessageData) (fetched, error) {
	var f fetched
	for item := m.Next(); item != nil; item = m.Next() {
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			f.uid = uint32(it.UID)
		case imapclient.FetchItemDataInternalDate:
			f.received = it.Time
		case imapclient.FetchItemDataBodySection:
			if it.Literal == nil {
				continue
			}
			raw, err := io.ReadAll(it.Literal)
			if err == nil && int64(len(raw)) < it.Literal.Size() {
				err = io.ErrUnexpectedEOF // go-imap reports a literal cut short as a plain EOF
			}
			if err != nil {
				return f, err
			}
			f.raw = raw
		}
	}
	return f, nil
}

// parse runs Message over a batch on every core: parsing is pure and takes longer than storing.
func parse(msgs []fetched, out []data.MailMessage) {
	workers := min(runtime.GOMAXPROCS(0), len(msgs))
	if workers <= 1 {
		for i, m := range msgs {
			out[i] = Message(m.raw, m.received)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = Message(msgs[i].raw, msgs[i].received)
			}
		}()
	}
	for i := range msgs {
		next <- i
	}
	close(next)
	wg.Wait()
}
