package knowledge

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

func withQuestions(doc, id string, qs ...string) string {
	block := "questions:\n"
	for _, q := range qs {
		block += "  - " + q + "\n"
	}
	doc = strings.Replace(doc, "id: by-product", "id: "+id, 1)
	return strings.Replace(doc, "sources:\n", block+"sources:\n", 1)
}

func TestQuestionsParsedAndChecked(t *testing.T) {
	eight := []string{"q1?", "q2?", "q3?", "q4?", "q5?", "q6?", "q7?", "Is sawdust   waste?"}
	fsys := fstest.MapFS{
		"docs/en/by-product.md": {Data: []byte(withQuestions(goodEN, "by-product", eight...))},
		"docs/en/other.md":      {Data: []byte(withQuestions(goodEN, "other", "is SAWDUST waste", "only one"))},
	}
	c, probs := Load(fsys)
	d := c.Doc("by-product", "en")
	if d == nil || len(d.Questions) != 8 || d.Questions[7] != "Is sawdust waste?" {
		t.Fatalf("questions not parsed: %+v", d)
	}
	var dup, few bool
	for _, p := range probs {
		dup = dup || (!p.Warning && strings.Contains(p.Msg, "is also asked of docs/en/by-product.md"))
		few = few || (p.Warning && p.Path == "docs/en/other.md" && strings.Contains(p.Msg, "2 questions (aim for 8–15)"))
	}
	if !dup || !few {
		t.Errorf("want a duplicate-question error and a too-few warning, got %v", probs)
	}
}

// TestLoadRefusesSpecialFiles checks that a knowledge file that is a FIFO or a link to a device
// is refused with a one-line problem instead of blocking or exhausting memory.
func TestLoadRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	en := filepath.Join(dir, "docs", "en")
	if err := os.MkdirAll(en, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(en, "by-product.md"), []byte(goodEN), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(en, "zero.md")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(en, "pipe.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", MaxFileSize+1)
	if err := os.WriteFile(filepath.Join(en, "big.md"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	c, probs := Load(os.DirFS(dir))
	if c.Doc("by-product", "en") == nil {
		t.Error("the good document was not loaded")
	}
	want := map[string]string{"docs/en/zero.md": "not a regular file", "docs/en/pipe.md": "not a regular file", "docs/en/big.md": "larger than"}
	for _, p := range probs {
		if w, ok := want[p.Path]; ok && strings.Contains(p.Msg, w) && !p.Warning {
			delete(want, p.Path)
		}
	}
	if len(want) > 0 {
		t.Errorf("not refused: %v (problems %v)", want, probs)
	}
}

func TestMaterialsLexicon(t *testing.T) {
	lex := materialsHeader + "\n" +
		"žagovina\tsawdust\tžaganje | saw dust\tby-product\tpeleti\tpellets\t03 01 05\n" +
		"lubje\tbark\t\tby-product nowhere\tkompost\tcompost\t\n" +
		"pepel\tash\t\tby-product\tcement\tcement\t10-01-01\n" +
		"samo ime\n"
	fsys := fstest.MapFS{
		"docs/en/by-product.md": {Data: []byte(goodEN)},
		"materials.tsv":         {Data: []byte(lex)},
	}
	c, probs := Load(fsys)
	var missingDoc, badCode, cols bool
	for _, p := range probs {
		missingDoc = missingDoc || (!p.Warning && p.Line == 3 && strings.Contains(p.Msg, `document "nowhere", which does not exist`))
		badCode = badCode || (!p.Warning && p.Line == 4 && strings.Contains(p.Msg, "six digits in pairs"))
		cols = cols || (!p.Warning && p.Line == 5 && strings.Contains(p.Msg, "has 1 columns, want 7"))
	}
	if !missingDoc || !badCode || !cols {
		t.Errorf("want a missing-document, a bad-code and a columns error, got %v", probs)
	}
	var saw *Term
	for _, tm := range c.Glossary.Terms {
		if tm.Material && tm.SL[0] == "žagovina" {
			saw = tm
		}
	}
	if saw == nil || saw.Code != "03 01 05" || len(saw.Aliases) != 2 || !strings.Contains(saw.DefEN, "pellets") || !strings.Contains(saw.DefEN, "When is a residue a by-product?") {
		t.Errorf("sawdust entry = %+v", saw)
	}
}

func TestEmbeddedMaterials(t *testing.T) {
	c, probs := Load(Embedded())
	if err := probs.Err(); err != nil {
		t.Fatal(err)
	}
	n, coded := 0, 0
	for _, tm := range c.Glossary.Terms {
		if tm.Material {
			n++
			if tm.Code != "" {
				coded++
			}
		}
	}
	if n < 200 {
		t.Errorf("%d materials in the lexicon, want at least 200", n)
	}
	t.Logf("%d materials, %d with a List of Waste code", n, coded)
}

// TestAuditCorrectionsHold guards the errors the 2026-12 audits found: none may come back, in
// either language (knowledge part 3, corrections).
func TestAuditCorrectionsHold(t *testing.T) {
	c, probs := Load(Embedded())
	if err := probs.Err(); err != nil {
		t.Fatal(err)
	}
	wrong := []string{
		"19 July 2024", "19. julija 2024", // ESPR entered into force on 18 July 2024
		"priglasitev", "priglasit", // waste shipments: prijava
		"Dovoljevanje", "občutljiva embalaža", " z 47", "EFTE",
		"2026/470", // the Omnibus act number could not be confirmed on EUR-Lex
	}
	for _, d := range c.Docs {
		text := d.Title + "\n" + d.Summary + "\n" + strings.Join(d.Questions, "\n")
		for _, s := range d.Sections {
			text += "\n" + s.Heading + "\n" + s.Text
		}
		for _, w := range wrong {
			if strings.Contains(text, w) {
				t.Errorf("%s contains %q, which the audit corrected", d.Path, w)
			}
		}
		if strings.Contains(text, "SIJ Acroni") && (strings.Contains(text, "2011–2017") || strings.Contains(text, "2011-2017")) {
			t.Errorf("%s credits SIJ Acroni for 2011–2017 (it was Harsco Minerali until August 2018)", d.Path)
		}
	}
}
