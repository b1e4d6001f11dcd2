package lang

import (
	"fmt"
	"strings"
)

// Other is the other of krog's two languages (English for anything that is not English).
func Other(l Lang) Lang {
	if l == EN {
		return SL
	}
	return EN
}

// Parse reads a language a user or a file names: "sl", "en" or "" (none). Anything else is an
// error with a message a user can act on — unknown languages stop at the edge.
func Parse(s string) (Lang, error) {
	switch l := Lang(strings.ToLower(strings.TrimSpace(s))); l {
	case SL, EN, Unknown:
		return l, nil
	}
	return Unknown, fmt.Errorf("language %q: krog speaks sl (Slovene) and en (English)", s)
}

// Resolve is krog's one rule for the language of an answer: the language asked for explicitly,
// else the question's own, else that of the thread it belongs to, else def.
func Resolve(explicit Lang, question, thread string, def Lang) Lang {
	if explicit != Unknown {
		return explicit
	}
	if l := Detect(question); l != Unknown {
		return l
	}
	if l := Detect(thread); l != Unknown {
		return l
	}
	return def
}

// questionWords start a question in Slovene or English (folded).
var questionWords = set(
	"kaj", "kako", "kdaj", "kdo", "koga", "komu", "kje", "kam", "zakaj", "ali", "a", "koliko", "kateri",
	"katera", "katero", "katere", "kateremu", "cigav", "in", "pa", "kaksen", "kaksna", "kaksno", "kaksne",
	"lahko", "mora", "moramo", "moram", "je", "pojasni", "razlozi",
	"what", "how", "when", "who", "whom", "where", "why", "which", "whose", "is", "are", "can", "could",
	"do", "does", "did", "should", "must", "may", "will", "would", "and", "also", "what's", "explain",
)

// LooksLikeQuestion reports whether a message is a question rather than a remark ("hvala!"): it
// has a question mark or starts with a question word, in either language, with or without
// diacritics.
func LooksLikeQuestion(s string) bool {
	if strings.ContainsAny(s, "?¿") {
		return true
	}
	first, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	first = strings.Trim(Fold(first), `,.:;!"'»«“”`)
	_, ok := questionWords[first]
	return ok
}
