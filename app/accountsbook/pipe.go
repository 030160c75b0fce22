package accountsbook

import (
	"errors"
	"fmt"
)

// pipe is a rowSink that hands the rows over to another goroutine writing them into the real sink, in
// batches: reading the store (mostly SQLite, in C) and writing the file (XML, compression) then take a
// core each instead of taking turns on one. Batches are reused, so the rows in flight are a few
// thousand at most.
type pipe struct {
	full chan *batch
	free chan *batch
	stop chan struct{} // closed when the writer failed: the reader stops
	done chan struct{} // closed when the writer has returned
	err  error         // the writer's error; read once done is closed
	cur  *batch
}

type step uint8

const (
	beginSheet step = iota
	sheetRows
	endSheet
)

type batch struct {
	step  step
	sh    *sheet
	rows  []pipedRow
	n     int // rows used
	total int // for endSheet: the sheet's row count
}

type pipedRow struct {
	vals     []value
	currency string
}

const (
	pipeBatches   = 4
	pipeBatchRows = 256
)

// errWriterStopped tells the reader the writer gave up; the writer's own error is what the export
// returns.
var errWriterStopped = errors.New("the writer stopped")

// startPipe starts the goroutine writing into out.
func startPipe(out rowSink) *pipe {
	p := &pipe{full: make(chan *batch, pipeBatches), free: make(chan *batch, pipeBatches),
		stop: make(chan struct{}), done: make(chan struct{})}
	for range pipeBatches {
		p.free <- &batch{rows: make([]pipedRow, pipeBatchRows)}
	}
	go p.write(out)
	return p
}

func (p *pipe) write(out rowSink) {
	defer close(p.done)
	var sh *sheet
	for b := range p.full {
		if p.err == nil {
			var err error
			switch b.step {
			case beginSheet:
				sh = b.sh
				err = out.begin(sh)
			case sheetRows:
				for _, r := range b.rows[:b.n] {
					if err = out.row(r.vals, r.currency); err != nil {
						break
					}
				}
			case endSheet:
				err = out.end(b.total)
			}
			if err != nil {
				p.err = fmt.Errorf("write sheet %s: %w", sh.name, err)
				close(p.stop)
			}
		}
		p.free <- b
	}
}

// finish waits for the writer to write what was sent, and returns its error, if any, else readErr.
func (p *pipe) finish(readErr error) error {
	close(p.full)
	<-p.done
	if p.err != nil {
		return p.err
	}
	return readErr
}

func (p *pipe) get(s step, sh *sheet) (*batch, error) {
	select {
	case b := <-p.free:
		b.step, b.sh, b.n = s, sh, 0
		return b, nil
	case <-p.stop:
		return nil, errWriterStopped
	}
}

func (p *pipe) send(b *batch) error {
	select {
	case p.full <- b:
		return nil
	case <-p.stop:
		return errWriterStopped
	}
}

func (p *pipe) begin(sh *sheet) error {
	b, err := p.get(beginSheet, sh)
	if err != nil {
		return err
	}
	return p.send(b)
}

func (p *pipe) row(vals []value, currency string) error {
	if p.cur == nil {
		b, err := p.get(sheetRows, nil)
		if err != nil {
			return err
		}
		p.cur = b
	}
	r := &p.cur.rows[p.cur.n]
	r.vals, r.currency = append(r.vals[:0], vals...), currency
	p.cur.n++
	if p.cur.n == len(p.cur.rows) {
		return p.flush()
	}
	return nil
}

func (p *pipe) flush() error {
	b := p.cur
	p.cur = nil
	if b == nil {
		return nil
	}
	return p.send(b)
}

func (p *pipe) end(rows int) error {
	if err := p.flush(); err != nil {
		return err
	}
	b, err := p.get(endSheet, nil)
	if err != nil {
		return err
	}
	b.total = rows
	return p.send(b)
}
