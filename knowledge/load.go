package knowledge

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with the corpus, located as path:line.
type Problem struct {
	Path    string
	Line    int
	Msg     string
	Warning bool
}

func (p Problem) String() string {
	kind := "error"
	if p.Warning {
		kind = "warning"
	}
	return fmt.Sprintf("%s:%d: %s: %s", p.Path, p.Line, kind, p.Msg)
}

// Problems is every problem Load found, errors and warnings.
type Problems []Problem

// Errors counts the problems that are not warnings.
func (ps Problems) Errors() int {
	n := 0
	for _, p := range ps {
		if !p.Warning {
			n++
		}
	}
	return n
}

// Err returns an error describing the first errors, or nil when there are none.
func (ps Problems) Err() error {
	var lines []string
	for _, p := range ps {
		if !p.Warning {
			lines = append(lines, p.String())
		}
	}
	switch {
	case len(lines) == 0:
		return nil
	case len(lines) > 5:
		lines = append(lines[:5], fmt.Sprintf("… and %d more (run `krog lint`)", len(lines)-5))
	}
	return fmt.Errorf("knowledge base has errors:\n%s", strings.Join(lines, "\n"))
}

// Passage length and count that make good retrieval units; outside them lint warns.
const (
	minWords, maxWords         = 80, 250
	minSections, maxSections   = 3, 7
	minQuestions, maxQuestions = 8, 15
)

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	knownFields = []string{"id", "lang", "title", "topic", "jurisdiction", "tags", "summary", "sources", "updated"}
)

// Load reads the corpus from fsys: every docs/**/*.md file and glossary.tsv.
// It returns what it could load and every problem it found; callers decide whether warnings
// or errors stop them (Problems.Err).
func Load(fsys fs.FS) (*Corpus, Problems) {
	c := &Corpus{byKey: map[string]*Doc{}}
	var probs Problems
	var paths []string
	err := fs.WalkDir(fsys, "docs", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		probs = append(probs, Problem{Path: "docs", Msg: fmt.Sprintf("cannot read the documents folder: %v", err)})
	}
	sort.Strings(paths)
	for _, p := range paths {
		data, prob := readFile(fsys, p)
		if prob != nil {
			probs = append(probs, *prob)
			continue
		}
		doc, ps := ParseDoc(p, data)
		probs = append(probs, ps...)
		if doc == nil {
			continue
		}
		key := doc.ID + "/" + doc.Lang
		if prev, ok := c.byKey[key]; ok {
			probs = append(probs, Problem{Path: p, Line: 2, Msg: fmt.Sprintf("duplicate document %q in %q, already in %s", doc.ID, doc.Lang, prev.Path)})
			continue
		}
		c.byKey[key] = doc
		c.Docs = append(c.Docs, doc)
	}
	probs = append(probs, duplicateQuestions(c.Docs)...)
	if len(paths) == 0 && err == nil {
		probs = append(probs, Problem{Path: "docs", Msg: "no documents (*.md) found"})
	}
	for _, d := range c.Docs {
		other := "en"
		if d.Lang == "en" {
			other = "sl"
		}
		if c.Doc(d.ID, other) == nil {
			probs = append(probs, Problem{Path: d.Path, Line: 1, Warning: true, Msg: fmt.Sprintf("no %s version of %q", other, d.ID)})
		}
	}
	g, ps := loadGlossary(fsys)
	c.Glossary = g
	probs = append(probs, ps...)
	mats, ps := loadMaterials(fsys)
	probs = append(probs, ps...)
	probs = append(probs, linkMaterials(c, mats)...)
	g.Terms = append(g.Terms, mats...)
	guides, ps := loadGuides(fsys, c)
	c.Guides = guides
	probs = append(probs, ps...)
	c.Version = version(fsys)
	return c, probs
}

// version is a short hash of the knowledge files (documents, glossary, lexicon, guides; not the
// eval questions), in path order.
func version(fsys fs.FS) string {
	h := sha256.New()
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		known := strings.HasPrefix(p, "docs/") || strings.HasPrefix(p, "guides/") || p == "glossary.tsv" || p == "materials.tsv"
		if err != nil || d.IsDir() || !known {
			return nil
		}
		if data, prob := readFile(fsys, p); prob == nil {
			fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
			h.Write(data)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// MaxFileSize is the largest knowledge file krog reads; a document is a few kilobytes.
const MaxFileSize = 1 << 20

// readFile reads a knowledge file that is a regular file of at most MaxFileSize bytes: a symlink
// to a device or a FIFO would otherwise exhaust memory or block for ever.
func readFile(fsys fs.FS, p string) ([]byte, *Problem) {
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, &Problem{Path: p, Line: 1, Msg: fmt.Sprintf("cannot read: %v", err)}
	}
	if !info.Mode().IsRegular() {
		return nil, &Problem{Path: p, Line: 1, Msg: "not a regular file (a device, pipe or link to one): krog reads only ordinary files"}
	}
	if info.Size() > MaxFileSize {
		return nil, &Problem{Path: p, Line: 1, Msg: fmt.Sprintf("file is %d bytes, larger than the %d krog reads", info.Size(), MaxFileSize)}
	}
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, &Problem{Path: p, Line: 1, Msg: fmt.Sprintf("cannot read: %v", err)}
	}
	if len(data) > MaxFileSize {
		return nil, &Problem{Path: p, Line: 1, Msg: fmt.Sprintf("file is larger than the %d bytes krog reads", MaxFileSize)}
	}
	return data, nil
}

// duplicateQuestions reports an "asked as" question that two documents of one language share
// (compared without case, diacritics and punctuation): it cannot point to both.
func duplicateQuestions(docs []*Doc) Problems {
	var probs Problems
	seen := map[string]*Doc{}
	for _, d := range docs {
		for _, q := range d.Questions {
			k := d.Lang + "|" + strings.Join(strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
			if prev, ok := seen[k]; ok && prev != d {
				probs = append(probs, Problem{Path: d.Path, Line: 2, Msg: fmt.Sprintf("question %q is also asked of %s: make it specific to one document", q, prev.Path)})
				continue
			}
			seen[k] = d
		}
	}
	return probs
}

// ParseDoc parses one markdown document. It returns nil when the file is too broken to use.
func ParseDoc(p string, data []byte) (*Doc, Problems) {
	var probs Problems
	bad := func(line int, format string, args ...any) {
		probs = append(probs, Problem{Path: p, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	warn := func(line int, format string, args ...any) {
		probs = append(probs, Problem{Path: p, Line: line, Warning: true, Msg: fmt.Sprintf(format, args...)})
	}
	if !utf8.Valid(data) {
		bad(1, "file is not valid UTF-8")
		return nil, probs
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	lines := strings.Split(string(data), "\n")
	if len(lines) == 0 || strings.TrimSpace(strings.TrimPrefix(lines[0], "\ufeff")) != "---" {
		bad(1, "missing front matter: the file must start with a line ---")
		return nil, probs
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		bad(1, "front matter is not closed by a line ---")
		return nil, probs
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(strings.Join(lines[1:end], "\n")), &root); err != nil {
		bad(2, "front matter is not valid YAML: %v", err)
		return nil, probs
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		bad(2, "front matter must be a YAML mapping of fields")
		return nil, probs
	}
	d := &Doc{Path: p}
	seen := map[string]int{}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := k.Line + 1 // yaml lines count from the line after the opening ---
		if prev, ok := seen[k.Value]; ok {
			bad(line, "field %q repeated (first on line %d)", k.Value, prev)
			continue
		}
		seen[k.Value] = line
		scalar := func() string {
			if v.Kind != yaml.ScalarNode {
				bad(line, "field %q must be a single value", k.Value)
				return ""
			}
			return strings.TrimSpace(v.Value)
		}
		switch k.Value {
		case "id":
			d.ID = scalar()
			if d.ID != "" && !idPattern.MatchString(d.ID) {
				bad(line, "id %q must be lowercase words joined by hyphens (e.g. by-product)", d.ID)
			}
			if base := strings.TrimSuffix(path.Base(p), ".md"); d.ID != "" && base != d.ID {
				bad(line, "id %q does not match the file name %s", d.ID, path.Base(p))
			}
		case "lang":
			d.Lang = scalar()
			if d.Lang != "" && !slices.Contains(Langs, d.Lang) {
				bad(line, "lang %q must be one of %s", d.Lang, strings.Join(Langs, ", "))
			} else if dir := path.Base(path.Dir(p)); slices.Contains(Langs, dir) && dir != d.Lang {
				bad(line, "lang %q but the file is in the %s folder", d.Lang, dir)
			}
		case "title":
			d.Title = scalar()
		case "topic":
			d.Topic = scalar()
			if d.Topic != "" && !slices.Contains(Topics, d.Topic) {
				bad(line, "topic %q must be one of %s", d.Topic, strings.Join(Topics, ", "))
			}
		case "jurisdiction":
			d.Jurisdiction = scalar()
			if d.Jurisdiction != "" && !slices.Contains(Jurisdictions, d.Jurisdiction) {
				bad(line, "jurisdiction %q must be one of %s", d.Jurisdiction, strings.Join(Jurisdictions, ", "))
			}
		case "tags":
			if err := v.Decode(&d.Tags); err != nil {
				bad(line, "tags must be a list of words, e.g. [by-product, waste]")
			}
		case "summary":
			d.Summary = strings.Join(strings.Fields(scalar()), " ")
			if n := utf8.RuneCountInString(d.Summary); n > MaxSummary {
				bad(line, "summary has %d characters, at most %d allowed", n, MaxSummary)
			}
		case "sources":
			if err := v.Decode(&d.Sources); err != nil {
				bad(line, "sources must be a list of {title, url}")
				break
			}
			for j, s := range d.Sources {
				sl, ul := line, line
				if j < len(v.Content) {
					item := v.Content[j]
					sl, ul = item.Line+1, item.Line+1
					for n := 0; n+1 < len(item.Content); n += 2 {
						if item.Content[n].Value == "url" {
							ul = item.Content[n].Line + 1
						}
					}
				}
				if strings.TrimSpace(s.Title) == "" {
					bad(sl, "source %d has no title", j+1)
				}
				if !validURL(s.URL) {
					bad(ul, "source %d has a malformed url %q (need an absolute http(s) URL)", j+1, s.URL)
				}
			}
		case "questions":
			if err := v.Decode(&d.Questions); err != nil {
				bad(line, "questions must be a list of questions, one per line starting with -")
				break
			}
			for j, q := range d.Questions {
				d.Questions[j] = strings.Join(strings.Fields(q), " ")
			}
		case "updated":
			t, err := time.Parse(time.DateOnly, scalar())
			if err != nil {
				bad(line, "updated %q must be a date YYYY-MM-DD", v.Value)
			}
			d.Updated = t
		default:
			bad(line, "unknown field %q (known: %s, questions)", k.Value, strings.Join(knownFields, ", "))
		}
	}
	for _, f := range knownFields {
		if _, ok := seen[f]; !ok {
			bad(2, "missing field %q", f)
		}
	}
	if line, ok := seen["questions"]; !ok {
		warn(2, "no questions: list %d–%d ways people ask for this document", minQuestions, maxQuestions)
	} else if n := len(d.Questions); n < minQuestions || n > maxQuestions {
		warn(line, "%d questions (aim for %d–%d)", n, minQuestions, maxQuestions)
	}
	for _, f := range knownFields {
		line, ok := seen[f]
		if !ok {
			continue
		}
		empty := false
		switch f {
		case "id":
			empty = d.ID == ""
		case "lang":
			empty = d.Lang == ""
		case "title":
			empty = d.Title == ""
		case "topic":
			empty = d.Topic == ""
		case "jurisdiction":
			empty = d.Jurisdiction == ""
		case "summary":
			empty = d.Summary == ""
		case "tags":
			empty = len(d.Tags) == 0
		case "sources":
			empty = len(d.Sources) == 0
			if empty {
				bad(line, "no source: list at least one {title, url}")
				continue
			}
		}
		if empty {
			bad(line, "field %q is empty", f)
		}
	}
	d.Sections = splitSections(d, lines[end+1:], end+2)
	if len(d.Sections) == 0 {
		bad(end+2, "no passages: the body needs at least one ## section with text")
	}
	var numbered int
	for _, s := range d.Sections {
		if s.Heading != d.Title {
			numbered++
		}
		if strings.TrimSpace(s.Text) == "" {
			bad(s.Line, "empty passage %q", s.Heading)
			continue
		}
		if w := len(strings.Fields(s.Text)); w < minWords || w > maxWords {
			warn(s.Line, "passage %q has %d words (aim for %d–%d)", s.Heading, w, minWords, maxWords)
		}
	}
	if numbered > 0 && (numbered < minSections || numbered > maxSections) {
		warn(end+2, "%d sections (aim for %d–%d)", numbered, minSections, maxSections)
	}
	if probs.Errors() > 0 {
		return nil, probs
	}
	return d, probs
}

// splitSections cuts the body at ## headings. first is the file line of body[0].
func splitSections(d *Doc, body []string, first int) []*Section {
	var out []*Section
	var cur *Section
	var text []string
	inFence := false
	flush := func() {
		if cur == nil {
			return
		}
		cur.Text = normalizeText(text)
		// A lead before the first heading is kept only when it says something.
		if cur.Heading == d.Title && cur.Text == "" {
			return
		}
		cur.N = len(out) + 1
		cur.ID = fmt.Sprintf("%s/%s/%d", d.ID, d.Lang, cur.N)
		out = append(out, cur)
	}
	cur = &Section{Doc: d, Heading: d.Title, Line: first}
	for i, l := range body {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inFence = !inFence
		}
		if !inFence && strings.HasPrefix(l, "## ") {
			flush()
			cur = &Section{Doc: d, Heading: strings.TrimSpace(strings.TrimPrefix(l, "## ")), Line: first + i}
			text = text[:0]
			continue
		}
		text = append(text, l)
	}
	flush()
	return out
}

func validURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t<>\"")
}

// Term is one glossary entry, or one material of the materials lexicon.
type Term struct {
	SL       []string // Slovene term and alternatives; SL[0] is the main one
	EN       []string
	Acronyms []string
	DefSL    string
	DefEN    string
	Line     int

	// A material (materials.tsv): other names in either language, the documents that deal with
	// it, typical reuse routes, and its List of Waste code where certain.
	Material         bool
	Aliases          []string
	Docs             []string
	ReuseSL, ReuseEN string
	Code             string
}

// Glossary is the Slovene–English term list.
type Glossary struct {
	Terms []*Term
}

const glossaryHeader = "sl\ten\tacronyms\tdefinition_sl\tdefinition_en"

func loadGlossary(fsys fs.FS) (*Glossary, Problems) {
	const p = "glossary.tsv"
	g := &Glossary{}
	if _, err := fs.Stat(fsys, p); err != nil {
		return g, Problems{{Path: p, Line: 1, Warning: true, Msg: "no glossary: /krog define and cross-language search need it"}}
	}
	data, prob := readFile(fsys, p)
	if prob != nil {
		return g, Problems{*prob}
	}
	g, probs := ParseGlossary(p, data)
	return g, probs
}

// ParseGlossary reads a glossary TSV with the header
// "sl, en, acronyms, definition_sl, definition_en"; alternatives inside a cell are separated by " | ".
func ParseGlossary(p string, data []byte) (*Glossary, Problems) {
	g := &Glossary{}
	probs := scanTSV(p, data, glossaryHeader, func(n int, cols []string) *Problem {
		t := &Term{SL: alts(cols[0]), EN: alts(cols[1]), Acronyms: alts(cols[2]), DefSL: strings.TrimSpace(cols[3]), DefEN: strings.TrimSpace(cols[4]), Line: n}
		if len(t.SL) == 0 || len(t.EN) == 0 {
			return &Problem{Path: p, Line: n, Msg: "needs both a Slovene and an English term"}
		}
		g.Terms = append(g.Terms, t)
		if t.DefSL == "" || t.DefEN == "" {
			return &Problem{Path: p, Line: n, Warning: true, Msg: fmt.Sprintf("%q has no definition in both languages", t.SL[0])}
		}
		return nil
	})
	return g, probs
}

// scanTSV reads a tab-separated file whose first line is header: every other line that is not
// blank or a # comment must have as many columns as the header, and goes to row with its line
// number; row's problem, if any, is kept.
func scanTSV(p string, data []byte, header string, row func(n int, cols []string) *Problem) Problems {
	var probs Problems
	want := strings.Count(header, "\t") + 1
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			if strings.TrimPrefix(line, "\ufeff") != header {
				probs = append(probs, Problem{Path: p, Line: 1, Msg: "first line must be the header: " + strings.ReplaceAll(header, "\t", "<TAB>")})
			}
			continue
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != want {
			probs = append(probs, Problem{Path: p, Line: n, Msg: fmt.Sprintf("has %d columns, want %d (%s)", len(cols), want, strings.ReplaceAll(header, "\t", ", "))})
			continue
		}
		if prob := row(n, cols); prob != nil {
			probs = append(probs, *prob)
		}
	}
	if err := sc.Err(); err != nil {
		probs = append(probs, Problem{Path: p, Line: n + 1, Msg: fmt.Sprintf("cannot read on: %v", err)})
	}
	return probs
}

func alts(cell string) []string {
	var out []string
	for _, a := range strings.Split(cell, "|") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

var (
	listItem = regexp.MustCompile(`^\s*(?:[-*+]|\d+[.)])\s+`)
	emphasis = strings.NewReplacer("**", "", "__", "")
)

// normalizeText turns a section's markdown lines into the plain text krog indexes and quotes:
// lines of one paragraph are joined, list items keep their own line, paragraphs are separated by
// a blank line, and bold markers are dropped (krog highlights the question's words itself).
func normalizeText(lines []string) string {
	var paras []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, l := range lines {
		t := strings.TrimSpace(emphasis.Replace(l))
		switch {
		case t == "":
			flush()
		case listItem.MatchString(t) || len(cur) == 0:
			cur = append(cur, t)
		default:
			cur[len(cur)-1] += " " + t
		}
	}
	flush()
	return strings.Join(paras, "\n\n")
}
