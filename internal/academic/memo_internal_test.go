package academic

import "testing"

// TestValidMemo: a remembered success answers the same as the validator, failures are never
// remembered, and long values are not kept.
func TestValidMemo(t *testing.T) {
	long := "2025-03-24" + string(make([]byte, maxValidMemoValue))
	for range 2 { // the second round answers from the memo where it may
		for _, tc := range []struct {
			value, rule string
			want        bool
		}{
			{"ja", "lang", true},
			{"und", "lang", false},
			{"ja-JP-x-", "lang", false},
			{"2025-03-24", "date", true},
			{"2025-02-30", "date", false},
			{"0714", "isced_f", true},
			{long, "date", false},
		} {
			var r claimReader
			if got := r.check(tc.value, "p", tc.rule); got != tc.want || (len(r.errs) == 0) != tc.want {
				t.Errorf("check(%q, %s) = %v with %d errors, want %v", tc.value, tc.rule, got, len(r.errs), tc.want)
			}
		}
	}
	if _, ok := validMemo.Load(validKey{"und", "lang"}); ok {
		t.Error("a failure was remembered")
	}
}
