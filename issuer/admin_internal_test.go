package issuer

import "testing"

// TestGraduateNameIn: the native name of the page's language comes first, the Latin one
// after; a reading (ja-Kana), another language or a record without native names give the
// Latin name.
func TestGraduateNameIn(t *testing.T) {
	record := []byte(`{"learner":{"family_name":"SATO","given_name":"Kenji","native_names":[
		{"lang":"ja-Kana","family_name":"サトウ","given_name":"ケンジ"},{"lang":"ja","family_name":"佐藤","given_name":"健二"}]}}`)
	g := GraduateView{Name: "Kenji SATO", NativeNames: nativeNames(record)}
	for lang, want := range map[string]string{"ja": "佐藤 健二 (Kenji SATO)", "en": "Kenji SATO", "ja-Kana": "サトウ ケンジ (Kenji SATO)"} {
		if got := g.NameIn(lang); got != want {
			t.Errorf("NameIn(%q) = %q, want %q", lang, got, want)
		}
	}
	if n := nativeNames([]byte(`{"learner":{"family_name":"DE VRIES"}}`)); n != nil {
		t.Errorf("no native names: %v", n)
	}
	if n := nativeNames([]byte(`not json`)); n != nil {
		t.Errorf("unreadable record: %v", n)
	}
}
