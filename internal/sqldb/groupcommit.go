package sqldb

import (
	"context"
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
//   - a function that returns an error (or panics) is rolled back to its savepoint alone and
//     its caller gets the error at once; the others are unaffected;
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
		case <-c.stop:
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
		case j := <-c.jobs:
			batch := []*txJob{j}
		drain:
			for len(batch) < maxGroupCommit {
				select {
				case j := <-c.jobs:
					batch = append(batch, j)
				default:
					break drain
				}
			}
			c.run(batch)
		}
	}
}

// run executes one batch in one transaction.
func (c *committer) run(batch []*txJob) {
	var live []*txJob
	for _, j := range batch {
		if j.state.CompareAndSwap(jobQueued, jobRunning) {
			live = append(live, j)
		}
	}
	if len(live) == 0 {
		return
	}
	fail := func(jobs []*txJob, err error) {
		for _, j := range jobs {
			j.res <- txResult{err: err}
		}
	}
	stx, err := c.db.db.BeginTx(context.Background(), nil)
	if err != nil {
		fail(live, translate(err))
		return
	}
	var ok []*txJob
	for i, j := range live {
		sp := "hashi_sp" + strconv.Itoa(i)
		if _, err := stx.Exec("SAVEPOINT " + sp); err != nil {
			_ = stx.Rollback()
			fail(ok, translate(err))
			fail(live[i:], translate(err))
			return
		}
		r := runJob(j, &Tx{tx: stx, dialect: c.db.dialect, db: c.db, shared: true})
		if r.err == nil && r.panic == nil {
			if _, err := stx.Exec("RELEASE " + sp); err != nil {
				_ = stx.Rollback()
				fail(ok, translate(err))
				fail(live[i:], translate(err))
				return
			}
			ok = append(ok, j)
			continue
		}
		// Undo this function's writes only; if even that fails, the transaction is lost.
		_, err := stx.Exec("ROLLBACK TO " + sp)
		if err == nil {
			_, err = stx.Exec("RELEASE " + sp)
		}
		if err != nil {
			_ = stx.Rollback()
			j.res <- r
			fail(ok, translate(err))
			fail(live[i+1:], translate(err))
			return
		}
		j.res <- r
	}
	if len(ok) == 0 {
		_ = stx.Rollback()
		return
	}
	err = stx.Commit()
	if err == nil {
		c.commits.Add(1)
	}
	fail(ok, translate(err))
}

// runJob runs the job's function, turning a panic into a result.
func runJob(j *txJob, tx *Tx) (r txResult) {
	defer func() {
		if p := recover(); p != nil {
			r = txResult{panic: p}
		}
	}()
	if err := j.fn(tx); err != nil {
		return txResult{err: translate(err)}
	}
	return txResult{}
}

// submit runs fn through the committer and waits for its result.
func (c *committer) submit(ctx context.Context, fn func(tx *Tx) error) error {
	select {
	case <-c.stop:
		return fmt.Errorf("sqldb: tx: %w", ErrClosed)
	default:
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
