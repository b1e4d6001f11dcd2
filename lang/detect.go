package lang

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Detect guesses the language of a short question (1–15 words): SL, EN, or
// Unknown when the text has no letters or no evidence either way ("???",
// "12345", "EPR", "ok").
//
// It adds up explainable evidence per word and returns the language with the
// larger score (a tie is Unknown):
//
//   - function words, weight 3: je, v, za, kaj, kako, ali, se … /
//     the, is, what, how, does, of, for … (words that are function words in
//     both languages, such as "in", "do", "no", "me", count for neither).
//     They decide the matrix language of mixed text: "EPR v Sloveniji" is
//     Slovene, "What does Eko sklad fund?" is English.
//   - č, š or ž in a word, weight 2 (1 in a capitalised word inside a
//     sentence, which is likely a name).
//   - word shape, weight 1 per language and word: Slovene endings (-ega, -ih,
//     -ov, -anje, -nost, -ski, -ija, -stvo, final j, nj/lj …) and domain words
//     (odpadki, sklad, …); English endings and spellings (-tion, -ing, -ness,
//     -ity, -ies, -ia, th, w, y, q, x, ck, sh, ch, ee, oo …) and domain words
//     (waste, permit, funding …).
//
// Acronyms written in capitals (EPR, ESPR, DPP, SYMBI) and words with digits
// carry no evidence, unless the whole text is in capitals.
func Detect(text string) Lang {
	// A text without lower-case letters is either an acronym ("EPR") or
	// shouted; only the latter (three or more words) is read word by word.
	allCaps := !hasLower(text) && len(strings.Fields(text)) >= 3
	var (
		sl, en   int
		buf      [64]byte
		tok      = buf[:0]
		inTok    bool
		upper    bool // first letter upper-case
		lower    bool // has a lower-case letter
		letters  int
		digit    bool
		diac     bool // č, š, ž, ć or đ
		sentence = true
		first    bool // token starts a sentence
	)
	flush := func() {
		if !inTok {
			return
		}
		inTok = false
		if letters == 0 || digit {
			return
		}
		if !allCaps && !lower && letters >= 2 {
			return // acronym
		}
		s, e := scoreToken(tok, diac, upper && !first)
		sl += s
		en += e
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || (inTok && (r == '-' || r == '\'' || r == '’')) || IsMark(r):
			if !inTok {
				inTok, tok = true, tok[:0]
				upper, lower, letters, digit, diac = false, false, 0, false, false
				first, sentence = sentence, false
				if unicode.IsUpper(r) {
					upper = true
				}
			}
			switch {
			case unicode.IsDigit(r):
				digit = true
			case unicode.IsLetter(r):
				letters++
				if unicode.IsLower(r) {
					lower = true
				}
				switch r {
				case 'č', 'š', 'ž', 'Č', 'Š', 'Ž', 'ć', 'Ć', 'đ', 'Đ':
					diac = true
				}
			}
			if IsMark(r) {
				if r == 0x30C { // combining caron: č, š, ž typed decomposed
					diac = true
				}
				continue
			}
			if r == '’' {
				r = '\''
			}
			tok = utf8.AppendRune(tok, FoldRune(r))
		default:
			flush()
			if r == '.' || r == '?' || r == '!' || r == ':' || r == '\n' {
				sentence = true
			}
		}
	}
	flush()
	switch {
	case sl > en:
		return SL
	case en > sl:
		return EN
	}
	return Unknown
}

func hasLower(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// Evidence weights; see Detect.
const (
	wFunction = 3
	wDiacrit  = 2
	wName     = 1
	wShape    = 1
)

// scoreToken returns the Slovene and English evidence of one folded token.
// name is true for a capitalised word that does not start a sentence.
func scoreToken(t []byte, diac, name bool) (sl, en int) {
	if w, ok := slFunction[string(t)]; ok {
		return w, 0
	}
	if w, ok := enFunction[string(t)]; ok {
		return 0, w
	}
	if diac {
		if name {
			return wName, 0
		}
		return wDiacrit, 0
	}
	if slShape(t) {
		sl = wShape
	}
	if enShape(t) {
		en = wShape
	}
	return sl, en
}

// slShape: Slovene inflectional/derivational endings, letter pairs and
// domain words.
func slShape(t []byte) bool {
	if _, ok := slWords[string(t)]; ok {
		return true
	}
	n := len(t)
	if n < 3 {
		return false
	}
	if t[n-1] == 'j' || bytes.Contains(t, []byte("nj")) || bytes.Contains(t, []byte("lj")) {
		return true
	}
	for _, suf := range slSuffixes {
		if n > len(suf)+1 && bytes.HasSuffix(t, []byte(suf)) {
			return true
		}
	}
	return false
}

var slSuffixes = [...]string{
	"ega", "emu", "ih", "ov", "ami", "ah",
	"anje", "anja", "anju", "enje", "enja", "enju",
	"nost", "nosti", "vost", "vosti",
	"ski", "ska", "sko", "ske",
	"ija", "ije", "iji", "ijo",
	"stvo", "stva", "stvu", "stev",
	"ju", "je", "ni", "na", "no", "ek", "ec",
	"ati", "iti", "ajo", "ejo", "amo", "imo", "emo",
}

// enShape: English endings, spellings foreign to Slovene, and domain words.
func enShape(t []byte) bool {
	if _, ok := enWords[string(t)]; ok {
		return true
	}
	n := len(t)
	if n < 3 {
		return false
	}
	for _, c := range t {
		switch c {
		case 'w', 'q', 'x', 'y', '\'':
			return true
		}
	}
	for _, p := range enPairs {
		if bytes.Contains(t, []byte(p)) {
			return true
		}
	}
	for _, suf := range enSuffixes {
		if n > len(suf)+1 && bytes.HasSuffix(t, []byte(suf)) {
			return true
		}
	}
	return false
}

var enPairs = [...]string{"th", "ck", "sh", "ch", "ph", "gh", "ee", "oo", "ea", "ou", "ay", "ey"}

var enSuffixes = [...]string{
	"tion", "tions", "sion", "ing", "ings", "ness", "ity", "ies",
	"ly", "ous", "ful", "able", "ible", "ia",
	"ied", "ted", "sed", "ved", "zed", "red", "ded", "ked", "ped",
}

func set(words ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

// slFunction: Slovene function words (folded) that are not English words.
var slFunction = func() map[string]int {
	m := make(map[string]int, len(stopSl))
	for _, w := range stopSl {
		m[w] = wFunction
	}
	// Shared with English, or too short to be sure.
	for _, w := range []string{"in", "a", "do", "no", "me", "on", "one", "ve"} {
		delete(m, w)
	}
	for _, w := range []string{"to", "ta", "te", "ti", "mi", "vi", "ja", "mar", "pac", "oz", "h", "tem"} {
		m[w] = 1
	}
	for _, w := range []string{"so", "ni", "ko", "le", "na", "med", "pod", "o", "s", "da", "ce", "ze", "nas", "vas", "nic", "tak", "nek"} {
		m[w] = 2
	}
	// Frequent in questions although not stop words.
	for _, w := range []string{"treba", "potrebujem", "potrebujemo", "moram", "moramo", "mora", "morajo",
		"ima", "imajo", "imamo", "imam", "velja", "veljajo", "pomeni"} {
		m[w] = 2
	}
	return m
}()

// enFunction: English function words (and a few frequent question verbs).
var enFunction = func() map[string]int {
	m := map[string]int{}
	for _, w := range []string{
		"the", "is", "are", "was", "were", "be", "been", "being", "does", "did", "doing",
		"what", "how", "who", "whom", "whose", "when", "where", "why", "which",
		"can", "could", "should", "would", "will", "shall", "may", "might", "must",
		"of", "for", "and", "or", "with", "without", "by", "from", "at", "into", "about",
		"if", "than", "then", "that", "this", "these", "those", "there", "their", "they", "them",
		"it", "its", "we", "our", "us", "you", "your", "my", "he", "she", "his", "her",
		"not", "any", "some", "have", "has", "had", "between", "under", "over", "after", "before",
		"don't", "doesn't", "isn't", "aren't", "can't", "what's", "it's", "we're", "i'm",
	} {
		m[w] = wFunction
	}
	for _, w := range []string{"a", "an", "i", "to", "as", "am", "get", "need", "also", "only", "just",
		"more", "most", "other", "such", "all", "each", "every", "both", "own", "same", "here", "via", "vs", "per"} {
		m[w] = 2
	}
	m["on"] = 1
	return m
}()

// slWords: frequent Slovene words of this domain without a telling ending.
var slWords = set(
	"odpadek", "odpadki", "odpadke", "odpadka", "zakon", "sklad", "pepel", "les",
	"voda", "vode", "toplota", "toploto", "surovine", "surovina", "embalaza", "zlindra",
	"uredba", "direktiva", "pogodba", "predelava", "uporaba", "krozno", "krozni",
	"simbioza", "obrat", "razpis", "razpisi", "pomoc", "plin", "tekstil", "hrana",
	"plastika", "papir", "steklo", "kovine", "smernice", "pravila", "evidenca",
	"obveznosti", "zahteve", "stroski", "cena", "cene", "primeri", "primer", "ovire",
	"ovira", "dobre", "prakse", "prednosti", "koristi", "nasvet", "nasveti",
	"oddati", "prodati", "kupiti", "pridobiti", "prijaviti", "prehod", "podjetij",
	"mala", "srednja", "velika", "podjetja", "podjetje",
)

// enWords: frequent English words of this domain without a telling spelling.
var enWords = set(
	"waste", "recycle", "recycled", "permit", "permits", "fund", "funds", "grant",
	"grants", "loan", "loans", "company", "business", "businesses", "product", "products",
	"circular", "industrial", "heat", "water", "slag", "ash", "steel", "food", "green",
	"support", "rules", "rule", "law", "laws", "difference", "examples", "example", "best",
	"practice", "practices", "symbiosis", "landfill", "reuse", "repair", "producer",
	"producers", "responsibility", "extended", "criteria", "materials", "directive",
	"sector", "project", "projects", "cost", "costs", "price", "market", "use", "used",
	"less", "new", "small", "large", "medium", "smes", "tax", "fee", "fees", "report",
	"plastic", "plastics", "glass", "paper", "wood", "metal", "metals", "textile",
	"textiles", "agency", "ministry", "requirements", "barriers", "benefits", "apply",
	"register", "hazardous", "municipal", "disposal", "recovery", "passport", "digital",
	"design", "ecodesign", "deadline", "target", "targets", "end", "life", "cycle",
	"assessment", "footprint", "carbon", "emissions", "sawdust", "scrap", "residue",
	"residues", "leftover", "buy", "sell", "sold", "cheap", "free", "tell", "explain",
	"find", "help", "advice", "contact", "local", "region", "slovenia", "slovenian",
	"slovene", "rate", "rates", "amount", "obtain", "required", "allowed", "needed",
)
