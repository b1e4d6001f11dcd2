package knowledge

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
)

// The materials lexicon (materials.tsv) names residues and by-products the way people do —
// "kavna usedlina", "pivske tropine", "odrezki", "stale bread" — with the documents that deal with
// each, typical reuse routes and, where certain, the six-digit code of the European List of Waste.
// Its entries join the glossary as Terms with Material set: a material named in a question is a
// domain term, is matched in either language and leads retrieval to its documents, and
// `krog define` shows it.

const materialsHeader = "sl\ten\taliases\tdocs\treuse_sl\treuse_en\tcode"

// wasteCode is a List of Waste code: three pairs of digits, an asterisk for hazardous entries.
var wasteCode = regexp.MustCompile(`^\d\d \d\d \d\d\*?$`)

func loadMaterials(fsys fs.FS) ([]*Term, Problems) {
	const p = "materials.tsv"
	data, prob := readFile(fsys, p)
	if prob != nil {
		if _, err := fs.Stat(fsys, p); err != nil {
			return nil, nil // a knowledge base without a lexicon
		}
		return nil, Problems{*prob}
	}
	return ParseMaterials(p, data)
}

// ParseMaterials reads a materials lexicon with the header
// "sl, en, aliases, docs, reuse_sl, reuse_en, code"; aliases are separated by " | ", document ids
// by spaces.
func ParseMaterials(p string, data []byte) ([]*Term, Problems) {
	var out []*Term
	probs := scanTSV(p, data, materialsHeader, func(n int, cols []string) *Problem {
		t := &Term{
			SL: alts(cols[0]), EN: alts(cols[1]), Aliases: alts(cols[2]), Docs: strings.Fields(cols[3]),
			ReuseSL: strings.TrimSpace(cols[4]), ReuseEN: strings.TrimSpace(cols[5]), Code: strings.TrimSpace(cols[6]),
			Material: true, Line: n,
		}
		switch {
		case len(t.SL) == 0 || len(t.EN) == 0:
			return &Problem{Path: p, Line: n, Msg: "needs both a Slovene and an English name"}
		case len(t.Docs) == 0:
			return &Problem{Path: p, Line: n, Msg: fmt.Sprintf("%q names no document", t.SL[0])}
		case t.Code != "" && !wasteCode.MatchString(t.Code):
			return &Problem{Path: p, Line: n, Msg: fmt.Sprintf("%q: waste code %q must be six digits in pairs, e.g. 03 01 05 (with * if hazardous)", t.SL[0], t.Code)}
		}
		out = append(out, t)
		return nil
	})
	return out, probs
}

// linkMaterials reports materials that refer to documents the corpus does not have, and names
// used by two entries, and writes each material's definitions (what `krog define` shows) from its
// reuse routes, waste code, other names and the titles of its documents.
func linkMaterials(c *Corpus, terms []*Term) Problems {
	var probs Problems
	seen := map[string]int{}
	for _, t := range terms {
		var titles = map[string][]string{}
		for _, id := range t.Docs {
			if c.Doc(id, "en") == nil && c.Doc(id, "sl") == nil {
				probs = append(probs, Problem{Path: "materials.tsv", Line: t.Line, Msg: fmt.Sprintf("%q refers to document %q, which does not exist", t.SL[0], id)})
			}
			if d := c.Doc(id, "sl"); d != nil {
				titles["sl"] = append(titles["sl"], "»"+d.Title+"«")
			}
			if d := c.Doc(id, "en"); d != nil {
				titles["en"] = append(titles["en"], "“"+d.Title+"”")
			}
		}
		t.DefSL = materialText(t.ReuseSL, t.Code, t.Aliases, titles["sl"], "Običajne poti ponovne uporabe: ", "Številka s seznama odpadkov: ", "Tudi: ", "Več v: ")
		t.DefEN = materialText(t.ReuseEN, t.Code, t.Aliases, titles["en"], "Typical reuse routes: ", "List of Waste code: ", "Also called: ", "More in: ")
		for _, name := range []string{t.SL[0], t.EN[0]} {
			k := strings.ToLower(name)
			if prev, ok := seen[k]; ok {
				probs = append(probs, Problem{Path: "materials.tsv", Line: t.Line, Msg: fmt.Sprintf("%q is already an entry (line %d)", name, prev)})
				continue
			}
			seen[k] = t.Line
		}
	}
	return probs
}

// materialText is a material's definition in one language.
func materialText(reuse, code string, aliases, titles []string, reuseL, codeL, alsoL, moreL string) string {
	var parts []string
	if reuse != "" {
		parts = append(parts, reuseL+reuse+".")
	}
	if code != "" {
		parts = append(parts, codeL+code+".")
	}
	if len(aliases) > 0 {
		parts = append(parts, alsoL+strings.Join(aliases, ", ")+".")
	}
	if len(titles) > 0 {
		parts = append(parts, moreL+strings.Join(titles, "; ")+".")
	}
	return strings.Join(parts, " ")
}
