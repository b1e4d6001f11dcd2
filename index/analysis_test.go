package index

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWordTokenizer(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Kaj je stranski proizvod?", []string{"Kaj", "je", "stranski", "proizvod"}},
		{"Direktiva 2008/98/ES, 5. člen", []string{"Direktiva", "2008", "98", "ES", "5", "člen"}},
		{"the company's by_product", []string{"the", "company's", "by_product"}},
		{"'quoted' — dash–dash", []string{"quoted", "dash", "dash"}},
		{"žlindra ŽLINDRA Đurđa", []string{"žlindra", "ŽLINDRA", "Đurđa"}},
		{"  \t\n", nil},
		{"emoji 🙂 between", []string{"emoji", "between"}},
		{"café ́ combining", []string{"café", "combining"}},
	}
	for _, tt := range tests {
		ts := wordTokenizer{}.Tokenize([]byte(tt.in))
		var got []string
		for i, tok := range ts {
			got = append(got, string(tok.Term))
			if tt.in[tok.Start:tok.End] != string(tok.Term) {
				t.Errorf("%q: token %q has offsets [%d:%d] = %q", tt.in, tok.Term, tok.Start, tok.End, tt.in[tok.Start:tok.End])
			}
			if tok.Position != i+1 {
				t.Errorf("%q: token %q at position %d, want %d", tt.in, tok.Term, tok.Position, i+1)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestPrefixCharKeepsLength(t *testing.T) {
	for in, want := range map[string]string{
		"By-products and re-use of e-waste": "By_products and re_use of e_waste",
		"well-known non-OECD eko-dizajn":    "well-known non_OECD eko_dizajn",
		"čez-noč by-":                       "čez-noč by-",
		"-by-product":                       "-by_product",
	} {
		got := string(prefixChar{}.Filter([]byte(in)))
		if got != want || len(got) != len(in) {
			t.Errorf("Filter(%q) = %q, want %q", in, got, want)
		}
	}
	in := []byte("no compounds here")
	if out := (prefixChar{}).Filter(in); &out[0] != &in[0] {
		t.Error("input without compounds should be returned as is")
	}
	if strings.Contains(string(prefixChar{}.Filter([]byte("x-ray"))), "_") {
		t.Error("x is not a compound prefix")
	}
}
