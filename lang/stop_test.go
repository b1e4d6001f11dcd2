package lang

import "testing"

func TestStopSl(t *testing.T) {
	for _, w := range []string{"sem", "si", "je", "smo", "ste", "so", "bi", "bo", "bom", "bodo", "biti",
		"bil", "bila", "bilo", "kaj", "kdo", "kdaj", "kako", "kje", "zakaj", "kateri", "ali", "ne",
		"se", "da", "in", "v", "na", "za", "z", "s", "k", "o", "po", "pri", "od", "do", "iz", "ce", "ze"} {
		if !IsStopSl(w) {
			t.Errorf("IsStopSl(%q) = false", w)
		}
	}
	for _, w := range []string{"leto", "nov", "dober", "podjetje", "odpadek", "treba", "sklad", "krozno", "Je", "še"} {
		if IsStopSl(w) {
			t.Errorf("IsStopSl(%q) = true", w)
		}
	}
	list := StopwordsSl()
	for i, w := range list {
		if Fold(w) != w {
			t.Errorf("stop word %q is not folded", w)
		}
		if i > 0 && list[i-1] >= w {
			t.Errorf("StopwordsSl not sorted/unique at %q", w)
		}
	}
	list[0] = "changed"
	if StopwordsSl()[0] == "changed" {
		t.Error("StopwordsSl returned shared storage")
	}
}
