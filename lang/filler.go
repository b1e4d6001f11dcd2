package lang

// fillers are the words of a message that ask, greet, thank or measure rather than say what the
// message is about, in both languages, folded: request words ("explain", "razloži", "overview"),
// greetings and sign-offs ("pozdravljeni", "lp", "thanks"), format requests ("bullet points",
// "for a slide", "alineje") and units ("t", "kg", "m3"). In a question they are not content: a
// question about the waste hierarchy is the same question with or without "please explain".
// Words that can carry meaning in krog's domain ("help", "need", "cost", "use") are not here.
var fillers = set(
	// English requests and politeness.
	"explain", "explaining", "explanation", "tell", "telling", "describe", "overview", "summarise",
	"summarize", "summary", "summarised", "summarized", "outline", "brief", "briefly", "quick",
	"quickly", "please", "pls", "plz", "kindly", "thanks", "thank", "thx", "cheers",
	"hi", "hello", "hey", "dear", "regards", "greetings", "morning", "afternoon",
	"can", "could", "would", "will", "you", "me", "give", "show", "let", "wondering", "wonder",
	"curious", "question", "questions", "quick", "anyone", "somebody", "someone",
	"bullet", "bullets", "points", "slide", "slides", "presentation", "sentences", "words",
	"simple", "simply", "terms", "basically", "actually", "really", "exactly",
	"ok", "okay", "yes", "no", "sorry", "again", "also", "bit", "little", "lot",
	// Slovene requests and politeness (folded).
	"razlozi", "razlozite", "razlozis", "razlozil", "razlozila", "razlaga", "razlago",
	"povej", "povejte", "poves", "povedal", "povedala", "povedati", "opisi", "opisite",
	"zanima", "zanimalo", "zanimajo", "zanimam", "daj", "dajte", "das", "dal", "dala",
	"povzemi", "povzemite", "povzetek", "povzetka", "pregled", "kratko", "kratek", "kratka",
	"na", "hitro", "hvala", "hvala", "lp", "lep", "lepa", "lepo", "pozdrav", "pozdravljeni",
	"pozdravljen", "pozdravljena", "zivjo", "zdravo", "hej", "prosim", "prosil", "prosila",
	"spostovani", "spostovana", "spostovane", "dober", "dan", "jutro", "vprasanje", "vprasanja",
	"vprasal", "vprasala", "vprasati", "imam", "rad", "rada", "radi", "bi", "mi", "nam", "nama",
	"alineje", "alinejah", "alinej", "tockah", "tocke", "tock", "prosojnico", "prosojnice",
	"stavkih", "stavki", "besedah", "enostavno", "preprosto", "jasno", "pa", "se", "eno",
	"mogoce", "morda", "vedel", "vedela", "vedeti", "ve", "ves", "veste", "vem",
	// Colloquial Slovene function words and their unaccented spellings ("kolk cajta", "a je
	// kej razpisov zdle", "js mam", "lahk", "kr").
	"kolk", "kok", "kolko", "cajt", "cajta", "cajtu", "al", "js", "jst", "jz", "sm", "smo", "lahk",
	"lohk", "kr", "kej", "kaj", "zdle", "zdej", "zdj", "pr", "mamo", "mam", "mas", "ma", "mate",
	"ful", "tko", "tud", "tut", "sam", "ej", "kao", "neki", "nekej", "kak", "kaki", "kake", "kaksn",
	"kaksne", "bl", "dons", "use", "usi", "una", "un", "tist", "tisti", "tle", "tm", "tam", "ke",
	"predn", "pol", "pa", "se", "mogoc", "glih", "itak", "vbistvu", "sploh", "kva", "kuk", "mal",
	"malo", "nau", "bo", "bos", "ane", "ne", "ja", "no", "dej", "dejte", "rabm", "rabmo",
	// Units and amounts.
	"t", "kg", "g", "m3", "m2", "m", "km", "l", "eur", "euro", "euros", "evrov", "evra", "ton",
	"tons", "tonne", "tonnes", "tonn", "tona", "tone", "ton", "litrov", "liter", "litre", "litres",
	"kwh", "mwh", "gwh", "kw", "mw", "kos", "kosov", "pcs", "per", "year", "leto", "letno",
	"annually", "mesecno", "monthly", "tedensko", "weekly", "dnevno", "daily", "okrog",
	"priblizno", "about", "around", "approximately", "cca", "ca",
)

// IsFiller reports whether a word (in any case, with or without diacritics) asks, greets, thanks
// or measures rather than naming what the question is about.
func IsFiller(word string) bool {
	_, ok := fillers[Fold(word)]
	return ok
}
