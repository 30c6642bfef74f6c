package statuslist_test

import (
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/hashi-vc/hashi/internal/statuslist"
)

func seeded(seed byte) io.Reader {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }

func TestPickIndex(t *testing.T) {
	none := func(int) bool { return false }
	all := func(int) bool { return true }
	tests := []struct {
		name     string
		size     int
		used     func(int) bool
		random   io.Reader
		want     int // -1: any unused index
		wantCode statuslist.Code
	}{
		{name: "ok/empty-list", size: 1 << 20, used: none, random: seeded(1), want: -1},
		{name: "ok/size-1", size: 1, used: none, random: seeded(1), want: 0},
		{name: "ok/one-left-found-by-scan", size: 1000, used: func(i int) bool { return i != 617 }, random: seeded(2), want: 617},
		{name: "ok/one-left-at-end", size: 1000, used: func(i int) bool { return i != 999 }, random: seeded(3), want: 999},
		{name: "fail/full", size: 1000, used: all, random: seeded(4), wantCode: statuslist.CodeListFull},
		{name: "fail/size-0", size: 0, used: none, random: seeded(1), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/nil-used", size: 8, used: nil, random: seeded(1), wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/nil-random", size: 8, used: none, random: nil, wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/random-fails", size: 8, used: none, random: failingReader{}, wantCode: statuslist.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := statuslist.PickIndex(tt.size, tt.used, tt.random)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				return
			}
			if got < 0 || got >= tt.size || tt.used(got) {
				t.Fatalf("picked %d: out of range or used", got)
			}
			if tt.want >= 0 && got != tt.want {
				t.Fatalf("picked %d, want %d", got, tt.want)
			}
		})
	}
}

// TestPickIndexAllocatesUniquely fills a small list through PickIndex and checks that every
// index is handed out exactly once, then that the full list is reported.
func TestPickIndexAllocatesUniquely(t *testing.T) {
	const size = 512
	taken := make(map[int]bool, size)
	used := func(i int) bool { return taken[i] }
	r := seeded(9)
	sequential := true
	for n := range size {
		idx, err := statuslist.PickIndex(size, used, r)
		checkCode(t, err, "")
		if taken[idx] {
			t.Fatalf("index %d handed out twice", idx)
		}
		if idx != n {
			sequential = false
		}
		taken[idx] = true
	}
	if sequential {
		t.Fatal("indices came out in order: not random")
	}
	_, err := statuslist.PickIndex(size, used, r)
	checkCode(t, err, statuslist.CodeListFull)
}

// TestPickIndexDependsOnRandom checks that the choice comes from the random source: different
// seeds give different picks, the same seed the same pick.
func TestPickIndexDependsOnRandom(t *testing.T) {
	none := func(int) bool { return false }
	pick := func(seed byte) int {
		idx, err := statuslist.PickIndex(1<<30, none, seeded(seed))
		checkCode(t, err, "")
		return idx
	}
	if first, second := pick(1), pick(1); first != second {
		t.Fatal("same seed, different picks")
	}
	if pick(1) == pick(2) && pick(2) == pick(3) {
		t.Fatal("different seeds, same pick")
	}
}
