package answer
import ("testing";"math/rand";"strings";"github.com/krog-advisor/krog/knowledge")
func TestFuzzDbg(t *testing.T){
 ps := hits("a", "b")
 ps[0].Section.Doc.Sources = []knowledge.Source{{Title: "A", URL: "https://a.example/law"}}
 ps[1].Section.Doc.Sources = []knowledge.Source{{Title: "B", URL: "https://b.example/guide"}}
 frags := []string{"[1]","[2]","[3]"," ","x","(",")","[","]","<",">","|","https://a.example/law","https://b.example/guide","https://evil.example/p","www.evil.example",".",",","\n","[t](https://a.example/law)","[t](https://evil.x)","<https://evil.x|t t>","h","ttp","://","word ", "[1, 2]"}
 r := rand.New(rand.NewSource(12))
 for n := 0; n < 20000; n++ {
  var b strings.Builder
  for k := 0; k < 3+r.Intn(12); k++ { b.WriteString(frags[r.Intn(len(frags))]) }
  raw := b.String()
  want, shown := checkAnswer(raw, ps)
  var got strings.Builder
  cs := &citeStream{passages: ps, out: func(s string){ got.WriteString(s) }}
  pos := 0
  for pos < len(raw) { k := pos+1+r.Intn(6); if k > len(raw) {k = len(raw)}; cs.write(raw[pos:k]); pos = k }
  if len(shown) > 0 { cs.finish(want) }
  if len(shown) > 0 && got.String() != want { t.Fatalf("raw %q\nstreamed %q\nwant %q", raw, got.String(), want) }
  if strings.Contains(want, "evil") && (strings.Contains(want, "http://evil") || strings.Contains(want, "https://evil") || strings.Contains(want, "www.evil")) { t.Fatalf("link kept: raw %q want %q", raw, want) }
 }
}
