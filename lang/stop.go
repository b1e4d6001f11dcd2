package lang

import (
	"slices"
	"strings"
)

// stopSl lists Slovene FUNCTION words, folded (no diacritics), grouped by
// kind. Content words (leto, nov, dober, podjetje, treba, …) are deliberately
// absent: in a short question every content word counts. Folding merges a few
// pairs (še/se, naš/nas, vaš/vas, če/ce); all of them are function words.
var stopSl = [...]string{
	// Auxiliary biti (to be): present, negated, future, conditional, participle.
	"sem", "si", "je", "sva", "sta", "smo", "ste", "so",
	"nisem", "nisi", "ni", "nisva", "nista", "nismo", "niste", "niso",
	"bom", "bos", "bo", "bova", "bosta", "bomo", "boste", "bodo",
	"bi", "biti", "bil", "bila", "bilo", "bili", "bile", "bodi", "bodite",

	// Personal and reflexive pronouns (all cases, short and long forms).
	"jaz", "ti", "on", "ona", "ono", "midva", "midve", "vidva", "vidve",
	"onadva", "onidve", "mi", "me", "vi", "oni", "one",
	"mene", "meni", "mano", "menoj", "tebe", "tebi", "tabo", "teboj",
	"ga", "njega", "mu", "njemu", "njim", "jo", "njo", "ji", "njej", "nje", "nji",
	"naju", "nama", "vaju", "vama", "nas", "nam", "nami", "vas", "vam", "vami",
	"jih", "njih", "jim", "njimi", "ju", "jima", "njima",
	"se", "sebe", "sebi", "seboj", "sabo",

	// Possessive pronouns.
	"moj", "moja", "moje", "moji", "mojo", "mojega", "mojemu", "mojem", "mojim", "mojih", "mojimi",
	"tvoj", "tvoja", "tvoje", "tvoji", "tvojo", "tvojega", "tvojemu", "tvojem", "tvojim", "tvojih",
	"njegov", "njegova", "njegovo", "njegove", "njegovi", "njegovega", "njegovem", "njegovih",
	"njen", "njena", "njeno", "njene", "njeni", "njenega", "njenem", "njenih",
	"nasa", "nase", "nasi", "naso", "nasega", "nasemu", "nasem", "nasim", "nasih", "nasimi",
	"vasa", "vase", "vasi", "vaso", "vasega", "vasemu", "vasem", "vasim", "vasih", "vasimi",
	"njihov", "njihova", "njihovo", "njihove", "njihovi", "njihovega", "njihovem", "njihovih",
	"svoj", "svoja", "svoje", "svoji", "svojo", "svojega", "svojemu", "svojem", "svojim", "svojih", "svojimi",

	// Demonstratives.
	"ta", "to", "te", "tega", "temu", "tem", "tej", "tisti", "tista", "tisto", "tiste",
	"tistega", "tistemu", "tistem", "tistim", "tistih", "tak", "taka", "tako", "take", "taki",
	"takega", "takem", "takih", "tole", "tale", "tile", "tele",

	// Interrogatives and relatives.
	"kaj", "kdo", "kdaj", "kako", "kje", "kam", "kod", "zakaj", "cemu", "koliko",
	"koga", "komu", "kom", "cesa", "cem",
	"kateri", "katera", "katero", "katere", "katerega", "kateremu", "katerem",
	"katerim", "katerih", "katerimi", "katerima",
	"kaksen", "kaksna", "kaksno", "kaksne", "kaksni", "kaksnega", "kaksnem", "kaksnih", "kaksnim",
	"ki", "kar", "kdor", "kjer", "kamor", "koder", "kadar", "kakor",

	// Prepositions.
	"v", "na", "za", "z", "s", "k", "h", "o", "po", "pri", "od", "do", "iz", "ob",
	"pod", "nad", "med", "pred", "brez", "proti", "skozi", "cez", "okoli", "okrog",
	"zaradi", "glede", "preko", "razen", "kljub", "poleg", "mimo", "namesto", "znotraj", "izven",

	// Conjunctions.
	"in", "ali", "pa", "ter", "a", "vendar", "toda", "ampak", "ker", "ce", "da", "ko",
	"kot", "saj", "niti", "oziroma", "oz", "temvec", "ceprav", "cetudi", "dokler",
	"medtem", "preden", "odkar", "sicer", "torej", "zato",

	// Particles and function adverbs.
	"ne", "ze", "tudi", "le", "samo", "naj", "no", "pac", "sploh", "morda", "mar",
	"kajne", "ja", "zelo", "lahko", "se", "npr", "itd", "tj", "idr",

	// Indefinite and general pronouns.
	"vse", "vsi", "vsa", "vsega", "vsem", "vseh", "vsemi", "vsak", "vsaka", "vsako",
	"vsakega", "vsakemu", "vsakem", "nek", "neka", "neko", "neki", "nekaj", "nekdo",
	"nekje", "nekoc", "nic", "nicesar", "nihce", "nikjer", "nikoli",
}

var stopSlSet = func() map[string]struct{} {
	m := make(map[string]struct{}, len(stopSl))
	for _, w := range stopSl {
		m[w] = struct{}{}
	}
	return m
}()

// IsStopSl reports whether the folded token is a Slovene function word.
// The token must already be folded (lowercase, no diacritics): "še" → "se".
func IsStopSl(folded string) bool {
	_, ok := stopSlSet[folded]
	return ok
}

// StopwordsSl returns the Slovene stop words, folded, sorted and without
// duplicates. The slice is a fresh copy the caller may keep or change.
func StopwordsSl() []string {
	out := make([]string, 0, len(stopSlSet))
	for w := range stopSlSet {
		out = append(out, w)
	}
	slices.SortFunc(out, strings.Compare)
	return out
}
