// Package knowledge is krog's curated corpus: the markdown documents with their front matter, the
// Slovene–English glossary, and the rules a document must follow (Validate, used by `krog lint`).
// The corpus that ships with krog is embedded here; Load reads any fs.FS, so curators can point
// krog at a directory and see their edits without rebuilding.
package knowledge

import (
	"embed"
	"io/fs"
	"time"
)

//go:embed docs glossary.tsv materials.tsv guides eval
var embedded embed.FS

// Embedded returns the corpus compiled into the binary.
func Embedded() fs.FS { return embedded }

// Allowed values of the front-matter fields that take one of a fixed set.
var (
	Langs         = []string{"sl", "en"}
	Topics        = []string{"strategy", "regulation", "barriers", "practice", "cases", "funding", "sectors"}
	Jurisdictions = []string{"EU", "SI", "global"}
)

// MaxSummary is the longest curated summary, in characters.
const MaxSummary = 600

// Doc is one language version of a knowledge document.
type Doc struct {
	ID           string
	Lang         string
	Title        string
	Topic        string
	Jurisdiction string
	Tags         []string
	Summary      string
	Questions    []string // ways people ask for this document ("asked as"), in its language
	Sources      []Source
	Updated      time.Time
	Path         string // path inside the corpus file system, for messages
	Sections     []*Section
}

// Source is a reference a document rests on.
type Source struct {
	Title string `yaml:"title" json:"title"`
	URL   string `yaml:"url" json:"url"`
}

// Section is one passage of a document: the text under one `##` heading.
// It is the unit krog retrieves and quotes.
type Section struct {
	ID      string // "<doc id>/<lang>/<n>", n counting from 1
	Doc     *Doc
	N       int
	Heading string
	Text    string
	Line    int // line of the heading in the file
}

// UpdatedString is the date a document's facts were last checked, as YYYY-MM-DD.
func (d *Doc) UpdatedString() string {
	if d.Updated.IsZero() {
		return ""
	}
	return d.Updated.Format(time.DateOnly)
}

// Corpus is the loaded knowledge base.
type Corpus struct {
	Docs     []*Doc
	Glossary *Glossary
	Guides   []*Guide
	Version  string          // a hash of the files the corpus was loaded from: changes when any of them does
	byKey    map[string]*Doc // id + "/" + lang
}

// Doc returns the version of document id in language lang, or nil.
func (c *Corpus) Doc(id, lang string) *Doc { return c.byKey[id+"/"+lang] }

// Guide returns the decision guide with id, or nil.
func (c *Corpus) Guide(id string) *Guide {
	for _, g := range c.Guides {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// GuideFor is the guide that rests first on document doc ("Check it step by step" under an answer
// from it), or nil.
func (c *Corpus) GuideFor(doc string) *Guide {
	for _, g := range c.Guides {
		if len(g.Docs) > 0 && g.Docs[0] == doc {
			return g
		}
	}
	return nil
}

// Sections returns every passage of the corpus in a stable order.
func (c *Corpus) Sections() []*Section {
	var out []*Section
	for _, d := range c.Docs {
		out = append(out, d.Sections...)
	}
	return out
}
