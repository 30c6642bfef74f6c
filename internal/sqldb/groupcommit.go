package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
)

// Group commit (SQLite). SQLite admits one writer at a time and, with synchronous=FULL, every
// commit waits for an fsync of the WAL. Under load the writers queue for the lock and each
// pays for its own fsync. Instead, DB.Tx on SQLite hands its function to one committer
// goroutine, which runs the functions queued at that moment one after another inside a
// single transaction, each in its own SAVEPOINT, and commits once:
//
//   - a function that returns an error (or panics, or exits its goroutine) is rolled back to
//     its savepoint alone and its caller gets the error at once; the others are unaffected,
//     unless its statement made SQLite roll back the whole transaction (ON CONFLICT ROLLBACK,
//     a full disk, an I/O error): then the others get errBatchAborted, which Tx retries;
//   - the callers of the functions that succeeded get the result of the one COMMIT: all are
//     durable, or none is and all get the error (never a partial batch);
//   - the functions run in queue order, each seeing the writes of those before it, which is
//     the serial order SQLite's serializable transactions promise anyway.
//
// A caller whose ctx is done before its function has started withdraws it; once started, the
// caller waits for the commit, so a function never commits behind the back of a caller that
// has already reported failure, and its statements ignore the ctx's cancellation (an
// interrupted SQLite write would roll back the whole shared transaction). Read-only
// transactions bypass the committer. A function must not use the DB itself (another Tx, or
// DB.ExecContext) while it runs: on the committer's goroutine that waits for itself.

// maxGroupCommit bounds how many transactions share one commit.
const maxGroupCommit = 64

// Job states.
const (
	jobQueued int32 = iota
	jobRunning
	jobWithdrawn
)

type txJob struct {
	fn    func(tx *Tx) error
	state atomic.Int32
	res   chan txResult // buffered 1
}

type txResult struct {
	err   error
	panic any // the function's panic, re-raised in the caller
}

type committer struct {
	db        *DB
	jobs      chan *txJob
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	commits   atomic.Int64 // batches committed, for tests and benchmarks
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, jobs: make(chan *txJob, maxGroupCommit), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// close stops the committer after the batch in progress; queued jobs get ErrClosed.
func (c *committer) close() {
	c.closeOnce.Do(func() {
		close(c.stop)
		<-c.done
	})
}

func (c *committer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.stop: // Close wins over queued work
			c.drain()
			return
		default:
		}
		select {
		case <-c.stop:
			c.drain()
			return
		case j := <-c.jobs:
			batch := []*txJob{j}
		collect:
			for len(batch) < maxGroupCommit {
				select {
				case j := <-c.jobs:
					batch = append(batch, j)
				default:
					break collect
				}
			}
			c.run(batch)
		}
	}
}

// drain answers the jobs still queued with ErrClosed.
func (c *committer) drain() {
	for {
		select {
		case j := <-c.jobs:
			if j.state.CompareAndSwap(jobQueued, jobRunning) {
				j.res <- txResult{err: fmt.Errorf("sqldb: tx: %w", ErrClosed)}
			}
		default:
			return
		}
	}
}

// run executes one batch in one transaction. A job is taken (marked running) only just
// before its function starts, so a caller that gives up while earlier jobs run withdraws.
func (c *committer) run(batch []*txJob) {
	stx, err := c.db.db.BeginTx(context.Background(), nil)
	if err != nil {
		for _, j := range batch {
			if j.state.CompareAndSwap(jobQueued, jobRunning) {
				j.res <- txResult{err: translate(err)}
			}
		}
		return
	}
	var ok []*txJob
	// abort rolls the transaction back and answers ok and the jobs not yet taken with err.
	abort := func(rest []*txJob, err error) {
		_ = stx.Rollback()
		for _, j := range ok {
			j.res <- txResult{err: err}
		}
		for _, j := range rest {
			if j.state.CompareAndSwap(jobQueued, jobRunning) {
				j.res <- txResult{err: err}
			}
		}
	}
	for i, j := range batch {
		if !j.state.CompareAndSwap(jobQueued, jobRunning) {
			continue // withdrawn
		}
		sp := "hashi_sp" + strconv.Itoa(i)
		if _, err := stx.Exec("SAVEPOINT " + sp); err != nil {
			j.res <- txResult{err: fmt.Errorf("%w: %w", errBatchAborted, translate(err))}
			abort(batch[i+1:], fmt.Errorf("%w: %w", errBatchAborted, translate(err)))
			return
		}
		r := runJob(j, &Tx{tx: stx, dialect: c.db.dialect, shared: true})
		if r.err == nil && r.panic == nil {
			if _, err := stx.Exec("RELEASE " + sp); err != nil {
				// The function's statements ended the transaction (or left it unusable).
				j.res <- txResult{err: translate(err)}
				abort(batch[i+1:], fmt.Errorf("%w: %w", errBatchAborted, translate(err)))
				return
			}
			ok = append(ok, j)
			continue
		}
		// Undo this function's writes only; if that fails, its statement ended the
		// transaction and the others' work is gone with it.
		_, err := stx.Exec("ROLLBACK TO " + sp)
		if err == nil {
			_, err = stx.Exec("RELEASE " + sp)
		}
		j.res <- r
		if err != nil {
			abort(batch[i+1:], fmt.Errorf("%w: %w", errBatchAborted, translate(err)))
			return
		}
	}
	if len(ok) == 0 {
		_ = stx.Rollback()
		return
	}
	err = stx.Commit()
	if err == nil {
		c.commits.Add(1)
	}
	for _, j := range ok {
		j.res <- txResult{err: translate(err)}
	}
}

// runJob runs the job's function on a goroutine of its own, turning a panic, or an exit
// of that goroutine (runtime.Goexit), into a result, so the committer survives both.
func runJob(j *txJob, tx *Tx) txResult {
	out := make(chan txResult, 1)
	go func() {
		returned := false
		defer func() {
			if returned {
				return
			}
			if p := recover(); p != nil {
				out <- txResult{panic: p}
				return
			}
			out <- txResult{err: errors.New("sqldb: tx: the transaction's function exited its goroutine (runtime.Goexit) without returning")}
		}()
		err := j.fn(tx)
		returned = true
		if err != nil {
			out <- txResult{err: translate(err)}
			return
		}
		out <- txResult{}
	}()
	return <-out
}

// submit runs fn through the committer and waits for its result.
func (c *committer) submit(ctx context.Context, fn func(tx *Tx) error) error {
	select {
	case <-c.stop:
		return fmt.Errorf("sqldb: tx: %w", ErrClosed)
	default:
	}
	// A caller already gone does not enqueue: select would pick at random between sending
	// the job and ctx.Done, and a job sent may run and commit (its statements ignore ctx).
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &txJob{fn: fn, res: make(chan txResult, 1)}
	select {
	case c.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.stop:
		return fmt.Errorf("sqldb: tx: %w", ErrClosed)
	}
	var r txResult
	select {
	case r = <-j.res:
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobWithdrawn) {
			return ctx.Err()
		}
		r = <-j.res // started: its outcome is the caller's
	case <-c.done:
		// The committer stopped; a job it never took is answered here.
		if j.state.CompareAndSwap(jobQueued, jobWithdrawn) {
			return fmt.Errorf("sqldb: tx: %w", ErrClosed)
		}
		r = <-j.res
	}
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}
