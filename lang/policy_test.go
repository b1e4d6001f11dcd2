package lang

import "testing"

func TestResolve(t *testing.T) {
	for _, tt := range []struct {
		explicit         Lang
		question, thread string
		want             Lang
	}{
		{SL, "What is a by-product?", "", SL},
		{Unknown, "Kaj je stranski proizvod?", "What is EPR?", SL},
		{Unknown, "EPR", "Kaj je stranski proizvod?", SL},
		{Unknown, "EPR", "", EN},
		{Unknown, "", "", EN},
	} {
		if got := Resolve(tt.explicit, tt.question, tt.thread, EN); got != tt.want {
			t.Errorf("Resolve(%q, %q, %q) = %q, want %q", tt.explicit, tt.question, tt.thread, got, tt.want)
		}
	}
}

func TestParseAndOther(t *testing.T) {
	for in, want := range map[string]Lang{"sl": SL, "EN": EN, "": Unknown} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := Parse("de"); err == nil {
		t.Error("Parse(de): want an error")
	}
	if Other(SL) != EN || Other(EN) != SL {
		t.Error("Other")
	}
}

func TestLooksLikeQuestion(t *testing.T) {
	for s, want := range map[string]bool{
		"hvala!": false, "super, to je to": false, "in v Sloveniji?": true, "Kakšen je rok": true,
		"kaksen je rok": true, "What about Italy": true, "thanks a lot": false, "Ali velja tudi za nas": true,
		"in v Sloveniji": true, "And in Austria": true, "hvala, to pomaga": false, "thanks!": false,
		"super, poslal bom naprej": false, "OK. Tudi jaz sem to slišal": false,
	} {
		if got := LooksLikeQuestion(s); got != want {
			t.Errorf("LooksLikeQuestion(%q) = %v", s, got)
		}
	}
}
