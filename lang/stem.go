package lang

import "strings"

// StemSl returns the stem of one Slovene token that is already lowercased and
// folded (see Fold): "odpadkov" → "odpadk", "krozna" → "kroz",
// "recikliranja" → "reciklir".
//
// It is a light stemmer in the suffix-stripping tradition of Popovič and
// Willett (1992, "The effectiveness of stemming for natural-language access to
// Slovene textual data", JASIS 43(5)): remove ONE inflectional ending chosen
// longest-first from an ordered list, never leaving fewer than three letters,
// then apply a few recoding rules for derivational endings and fleeting vowels.
// The rule set here is our own, written for folded input and for the
// vocabulary of krog (waste law, circular economy, industry).
//
// Stems are index keys, not dictionary words: all forms of odpadek map to
// "odpadk", all forms of krožen to "kroz". Words shorter than four letters and
// tokens containing anything but a–z (digits, "2008/98", hyphens, non-folded
// letters) are returned unchanged. A few frequent stems that end like an
// ending (sistem, program, clovek, …) are protected. The result is a substring of word except
// when a letter has to be dropped from the middle (fleeting -ek, -ij), which
// costs one small allocation.
func StemSl(word string) string {
	n := len(word)
	if n < 4 {
		return word
	}
	for i := 0; i < n; i++ {
		if c := word[i]; c < 'a' || c > 'z' {
			return word
		}
	}
	if p, ok := protectedStem(word); ok {
		return p
	}
	return recode(word[:n-endingLen(word)])
}

// minStem is the shortest stem an inflectional ending may leave behind.
const minStem = 3

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

func isCons(c byte) bool { return c >= 'a' && c <= 'z' && !isVowel(c) }

// isSoft reports the folded "soft" consonants c (c, č), s (š), z (ž) and j,
// after which masculine and neuter nouns take -em/-ev/-ema instead of
// -om/-ov/-oma (proizvajalcem, partnerjev, podjetjema).
func isSoft(c byte) bool { return c == 'c' || c == 's' || c == 'z' || c == 'j' }

// endingLen returns the length of the inflectional ending to strip from w, or
// 0. Rule groups, longest first; each needs minStem letters to remain.
//
// Three letters:
//   - adjectives: -ega, -emu (gen./dat. sg. m./n.), -ima (dual), -imi (instr. pl.)
//   - nouns: -ami (instr. pl. f.), -ama (dual f.), -oma (dual m./n.),
//     -ema (dual m./n. after a soft consonant only: proizvajalcema, podjetjema;
//     "sistema", "oprema" keep their -em-)
//   - -ijo only in -Cvijo (storitvijo, rešitvijo): instr. sg. of feminine -tev
//     nouns. Plain -ijo is NOT stripped because it is the accusative of the
//     many -ija nouns (industrijo, energijo, agencijo).
//   - verbs, present tense: -amo, -imo; -ajo except in -dajo (prodajo,
//     zakonodajo are nouns); -ejo and -emo only in -jejo/-jemo (delujejo,
//     potrebujemo), since -emo is mostly an accusative (opremo, shemo).
//   - infinitives only where no noun plural looks the same: -ovati/-evati
//     lose five letters (potrebovati → potreb, as potrebujem → potreb);
//     -ati after v, j, s, z, l, c or ir (reciklirati, uporabljati,
//     zmanjšati → reciklir, uporablj, zmanjs); -iti after v, b, s, n, l, c
//     (uporabiti → uporab). Other -ati/-iti are left: rezultati,
//     certifikati, kandidati, krediti, depoziti are plural nouns.
//
// Two letters:
//   - -om, -em (instr. sg.; adj. loc. sg.), -im, -ih, -ah, -am, -ov
//   - -ev only after a soft consonant (proizvajalcev, partnerjev); otherwise
//     -ev is a fleeting-vowel stem (storitev, gospodarstev), see recode.
//   - -mi only after t or v (odgovornostmi, snovmi; not "normi", "filmi")
//   - -jo only after t, v or c (odgovornostjo, snovjo, pomočjo; not "vodjo")
//
// One letter: -a, -e, -i, -o, -u.
func endingLen(w string) int {
	n := len(w)
	if n-3 >= minStem {
		switch w[n-3:] {
		case "ega", "emu", "ima", "imi", "ami", "ama", "oma", "amo", "imo":
			return 3
		case "ajo":
			if w[n-4] != 'd' {
				return 3
			}
		case "ejo", "emo":
			if w[n-4] == 'j' {
				return 3
			}
		case "ema":
			if isSoft(w[n-4]) {
				return 3
			}
		case "ijo":
			if w[n-4] == 'v' && isCons(w[n-5]) {
				return 3
			}
		case "ati":
			if n-5 >= minStem && (w[n-5:n-3] == "ov" || w[n-5:n-3] == "ev") {
				return 5 // -ovati/-evati: potrebovati → potreb (= potrebujem)
			}
			switch w[n-4] {
			case 'v', 'j', 's', 'z', 'l', 'c':
				return 3
			}
			if w[n-5:n-3] == "ir" {
				return 3
			}
		case "iti":
			switch w[n-4] {
			case 'v', 'b', 's', 'n', 'l', 'c':
				return 3
			}
		}
	}
	if n-2 >= minStem {
		switch w[n-2:] {
		case "om", "em", "im", "ih", "ah", "am", "ov":
			return 2
		case "ev":
			if isSoft(w[n-3]) {
				return 2
			}
		case "mi":
			if c := w[n-3]; c == 't' || c == 'v' {
				return 2
			}
		case "jo":
			if c := w[n-3]; c == 't' || c == 'v' || c == 'c' {
				return 2
			}
		}
	}
	if n-1 >= minStem && isVowel(w[n-1]) {
		return 1
	}
	return 0
}

// isEnding reports whether e is empty or one of the endings endingLen knows
// (without its context conditions); used for the protected stems.
func isEnding(e string) bool {
	switch e {
	case "", "a", "e", "i", "o", "u",
		"om", "em", "im", "ih", "ah", "am", "ov", "ev", "mi", "jo",
		"ega", "emu", "ima", "imi", "ami", "ama", "oma", "ema", "ijo",
		"ajo", "amo", "imo", "emo", "ejo":
		return true
	}
	return false
}

// protectedStems end in letters that look like an ending (-em, -am, -om, -ek,
// -ec, -im) but belong to the stem, and are frequent enough to matter here:
// sistem/sistema must not become sist/sistem. The stem is kept whole.
var protectedStems = [...]string{
	"sistem", "problem", "program", "diagram", "izjem", "rezim",
	"zajem", "prejem", "prevzem", "odvzem", "kamnolom",
	"clovek", "mesec",
}

// protectedStem returns w cut right after a protected stem when the rest of w
// is an ending (programi → program, ekosistemom → ekosistem).
func protectedStem(w string) (string, bool) {
	n := len(w)
	for k := 0; k <= 3 && k < n; k++ {
		head := w[:n-k]
		last := head[len(head)-1]
		if last != 'm' && last != 'k' && last != 'c' {
			continue
		}
		if !isEnding(w[n-k:]) {
			continue
		}
		for _, p := range protectedStems {
			if strings.HasSuffix(head, p) {
				return head, true
			}
		}
	}
	return "", false
}

// recode applies derivational and fleeting-vowel rules to a stem that has
// lost its inflectional ending. Order matters; each family of word forms must
// reach the same result, which the families test checks.
func recode(s string) string {
	n := len(s)

	// 1. Verbal nouns in -anje: recikliranj(e) → reciklir, zbiranj(e) → zbir,
	//    so they meet the verb (reciklira, recikliramo, reciklirati); the
	//    -ov-/-ev- of -ovanje/-evanje goes too (sodelovanje → sodel, as
	//    sodelovati and sodeluje). -enje is kept: dovoljenje must not
	//    become dovolj ("enough").
	if n >= 7 && s[n-3:] == "anj" {
		return dropOvEv(s[:n-3])
	}

	// 2. Passive participles of -irati/-ovati/-evati/-ivati verbs:
	//    recikliran(i) → reciklir, oblikovan → oblik.
	if n >= 6 && s[n-2:] == "an" {
		switch s[n-4 : n-2] {
		case "ir", "iv":
			return s[:n-2]
		case "ov", "ev":
			return dropOvEv(s[:n-2])
		}
	}

	// 2b. Present tense of -ovati/-evati verbs: potrebuj(em) → potreb,
	//     sodeluj(e) → sodel, meeting the infinitive (see endingLen).
	if n >= 5 && s[n-2:] == "uj" && isCons(s[n-3]) {
		return s[:n-2]
	}

	// 3. Relational adjectives in -ski/-ška/-ško: drop -sk so that the
	//    adjective meets its noun (okoljski → okolj = okolje, evropski →
	//    evrop = Evropa, industrijski → industrija). Only after a consonant
	//    and with four letters left: nouns have a vowel there (strošk-,
	//    pritisk, obisk, pesek) and keep their -sk.
	if n >= 6 && s[n-2:] == "sk" && isCons(s[n-3]) {
		s = s[:n-2]
		n -= 2
	}

	// 4. -Cij → -Cj: the genitive plural of -je neuters inserts i
	//    (podjetje → podjetij, okolje → okolij); -ija nouns are treated the
	//    same way so that every form of industrija gives one stem.
	if n >= 5 && s[n-2:] == "ij" && isCons(s[n-3]) {
		return s[:n-2] + "j"
	}

	// 5. Masculine nouns in -r add -j- in their endings: partnerja → partner.
	if n >= 5 && s[n-2:] == "rj" {
		s = s[:n-1]
		n--
	}

	// 6. Fleeting vowel in -ek: odpadek → odpadk (= odpadka, odpadkov …),
	//    izdelek, ostanek, postopek, podatek. Needs four letters before -ek so
	//    that potek, iztek, odsek (no fleeting vowel) are left alone.
	if n >= 6 && s[n-2:] == "ek" && isCons(s[n-3]) {
		return s[:n-2] + "k"
	}

	// 7. Fleeting vowel in -ec: proizvajalec/proizvajalca → proizvajal;
	//    also any stem ending consonant + c (odlagališč- → odlagalis).
	if n >= 5 && s[n-2:] == "ec" && isCons(s[n-3]) {
		return s[:n-2]
	}
	if n >= 4 && s[n-1] == 'c' && isCons(s[n-2]) {
		return s[:n-1]
	}

	// 8. Fleeting vowel in -tev/-tv: storitev/storitve → storit (= storiti),
	//    gospodarstev (gen. pl.)/gospodarstva → gospodarst.
	if n >= 5 && s[n-3:] == "tev" {
		return s[:n-2]
	}
	if n >= 4 && s[n-2:] == "tv" {
		return s[:n-1]
	}

	// 9. Fleeting vowel before a final n, r or l: krožen/krožna → kroz,
	//    nevaren/nevarna → nevar, minister/ministra → minist, cikel/cikla →
	//    cik. Forms with and without the e are cut back to the consonant
	//    before it, which also keeps non-fleeting words consistent
	//    (dovoljen/dovoljena → dovolj, partner/partnerja → partn).
	//    See fleetingNRL for the clusters left out.
	if n >= 5 && s[n-2] == 'e' && fleetingNRL(s[n-3], s[n-1]) {
		return s[:n-2]
	}
	if n >= 4 && fleetingNRL(s[n-2], s[n-1]) {
		return s[:n-1]
	}
	return s
}

// fleetingNRL reports whether consonant c followed by last (n, r or l) is a
// cluster that rule 9 of recode cuts. Two clusters are left out because they
// mostly belong to words without a fleeting vowel whose cut stem would meet
// another word: -del/-nel (model ≠ moda, tunel, panel) and -ber (dober ≠ doba).
func fleetingNRL(c, last byte) bool {
	if !isCons(c) {
		return false
	}
	switch last {
	case 'n':
		return true
	case 'l':
		return c != 'd' && c != 'n'
	case 'r':
		return c != 'b'
	}
	return false
}

// dropOvEv removes the -ov-/-ev- of -ovati/-evati verbs when three letters
// remain: sodelov → sodel, preprecev → preprec.
func dropOvEv(s string) string {
	n := len(s)
	if n-2 >= minStem && (s[n-2:] == "ov" || s[n-2:] == "ev") {
		return s[:n-2]
	}
	return s
}
