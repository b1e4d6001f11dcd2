package answer

import "github.com/krog-advisor/krog/lang"

// Fixed text of an answer, in both languages: what every face (terminal, Slack) says the same way.
// Words that belong to one face only (Slack's buttons, modals and help) live with that face.
var messages = map[string]map[string]string{
	"sources":          {"en": "Sources", "sl": "Viri"},
	"footer":           {"en": "Guidance, not legal advice: check the official texts or ask the competent authority before you act.", "sl": "Smernice, ne pravni nasvet: pred odločitvijo preverite uradna besedila ali vprašajte pristojni organ."},
	"not_found":        {"en": "I have no guidance on that in my knowledge base, and I would rather not guess.", "sl": "O tem v svoji zbirki znanja nimam smernic in raje ne ugibam."},
	"not_found_covers": {"en": "I know about circular-economy strategy, EU and Slovene waste and product law, industrial symbiosis in practice, barriers, cases, funding and sectors.", "sl": "Poznam strategije krožnega gospodarstva, evropsko in slovensko zakonodajo o odpadkih in izdelkih, industrijsko simbiozo v praksi, ovire, primere, financiranje in sektorje."},
	"low":              {"en": "I am not sure this answers exactly what you asked. The closest guidance I have:", "sl": "Nisem prepričan, da to odgovarja natanko na vaše vprašanje. Najbližje smernice, ki jih imam:"},
	"check":            {"en": "Check it step by step", "sl": "Preveri korak za korakom"},
	"related":          {"en": "Related questions", "sl": "Sorodna vprašanja"},
	"not_found_close":  {"en": "Closest topics I do cover:", "sl": "Najbližje teme, ki jih pokrivam:"},
	"not_found_browse": {"en": "Browse the topics with `krog topics` (in Slack: `/krog topics`).", "sl": "Teme si oglejte s `krog topics` (v Slacku: `/krog topics`)."},
	"only_en":          {"en": "", "sl": "Ta vsebina je na voljo le v angleščini."},
	"only_sl":          {"en": "This guidance is available in Slovene only.", "sl": ""},
	"cut":              {"en": "Your question was long, so I used its first 2,000 characters.", "sl": "Vprašanje je bilo dolgo, zato sem upošteval prvih 2.000 znakov."},
	"bad_lang":         {"en": "I answer in Slovene (sl) or English (en).", "sl": "Odgovarjam v slovenščini (sl) ali angleščini (en)."},
	"empty":            {"en": "Please ask a question, e.g. “When is a production residue a by-product?”", "sl": "Vpišite vprašanje, npr. »Kdaj je ostanek proizvodnje stranski proizvod?«"},
	"no_words":         {"en": "I could not find any words in that. Please ask your question in words, e.g. “What is industrial symbiosis?”", "sl": "V tem ne najdem besed. Vprašanje zapišite z besedami, npr. »Kaj je industrijska simbioza?«"},
	"error":            {"en": "Something went wrong on my side. Please try again in a moment.", "sl": "Pri meni je šlo nekaj narobe. Poskusite znova čez trenutek."},
	"best_passage":     {"en": "From", "sl": "Iz"},
	"updated":          {"en": "updated", "sl": "posodobljeno"},
	"more_none":        {"en": "No further sources for this question.", "sl": "Za to vprašanje ni dodatnih virov."},
	"topic_strategy":   {"en": "Strategy", "sl": "Strategije"},
	"topic_regulation": {"en": "Regulation", "sl": "Zakonodaja"},
	"topic_barriers":   {"en": "Barriers", "sl": "Ovire"},
	"topic_practice":   {"en": "Industrial symbiosis in practice", "sl": "Industrijska simbioza v praksi"},
	"topic_cases":      {"en": "Cases", "sl": "Primeri"},
	"topic_funding":    {"en": "Funding", "sl": "Financiranje"},
	"topic_sectors":    {"en": "Sectors and streams", "sl": "Sektorji in tokovi"},
	"stream_broken":    {"en": "The summary was cut off; here is the answer from the knowledge base instead.", "sl": "Povzetek se je prekinil; namesto njega je tu odgovor iz zbirke znanja."},
	"define_none":      {"en": "No glossary entry for", "sl": "V slovarju ni gesla"},
	"define_close":     {"en": "Closest entries:", "sl": "Najbližja gesla:"},
}

// T returns krog's fixed text key in language l (English when l is not Slovene).
func T(l lang.Lang, key string) string {
	m := messages[key]
	if l == lang.SL {
		return m["sl"]
	}
	return m["en"]
}
