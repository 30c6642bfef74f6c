package statuslist

import (
	"crypto/rand"
	"io"
	"math/big"
)

// PickIndex returns a uniformly random index in [0, size) for which used returns false, drawing
// randomness from random (use crypto/rand.Reader: HAIP asks for unpredictable indices, and
// §13.2 for a fresh index per credential, batch members included). It tries a fixed number of
// random draws and then scans from a random start, so it also succeeds in an almost full list
// (less uniformly). It fails with CodeListFull when every index is used, and with
// CodeInvalidArgument for a size below one, a nil used or random, or a failing random source.
//
// PickIndex is pure: it neither remembers nor reserves anything. The caller must persist the
// allocation atomically (for example under a unique constraint on list and index) and pick
// again on conflict, since §13.3 forbids unintended double allocation.
func PickIndex(size int, used func(idx int) bool, random io.Reader) (int, error) {
	if size < 1 {
		return 0, errorf(CodeInvalidArgument, nil, "size is %d, want at least 1", size)
	}
	if used == nil || random == nil {
		return 0, errorf(CodeInvalidArgument, nil, "no used-index test or random source")
	}
	n := big.NewInt(int64(size))
	draw := func() (int, error) {
		v, err := rand.Int(random, n)
		if err != nil {
			return 0, errorf(CodeInvalidArgument, err, "random source")
		}
		return int(v.Int64()), nil
	}
	for range maxPickAttempts {
		idx, err := draw()
		if err != nil {
			return 0, err
		}
		if !used(idx) {
			return idx, nil
		}
	}
	start, err := draw()
	if err != nil {
		return 0, err
	}
	for i := range size {
		idx := (start + i) % size
		if !used(idx) {
			return idx, nil
		}
	}
	return 0, errorf(CodeListFull, nil, "all %d indices are used", size)
}
