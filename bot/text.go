package bot

import (
	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/lang"
)

// slackText is the fixed text of krog's Slack face, in both languages: buttons, modals, help,
// notices. Text an answer shares with the terminal is answer.T's.
var slackText = map[string]map[string]string{
	"busy":              {"en": "I am answering a lot of questions right now. Please ask again in a minute.", "sl": "Trenutno odgovarjam na zelo veliko vprašanj. Prosim, vprašajte znova čez minuto."},
	"rate_limited":      {"en": "You are asking faster than I can keep up with. Please wait a minute and ask again.", "sl": "Sprašujete hitreje, kot zmorem odgovarjati. Počakajte minuto in vprašajte znova."},
	"thinking":          {"en": "Thinking…", "sl": "Razmišljam…"},
	"shared":            {"en": "shared this answer", "sl": "deli ta odgovor"},
	"asked":             {"en": "asked", "sl": "sprašuje"},
	"btn_share":         {"en": "Share in channel", "sl": "Deli v kanalu"},
	"btn_start":         {"en": "Start", "sl": "Začni"},
	"btn_back":          {"en": "Back", "sl": "Nazaj"},
	"btn_record":        {"en": "Download record", "sl": "Prenesi zapis"},
	"guides_title":      {"en": "Step-by-step checks", "sl": "Preverjanja korak za korakom"},
	"guides_hint":       {"en": "Or type /krog check <guide>, e.g. /krog check by-product. Guidance, not legal advice.", "sl": "Ali vpišite /krog preveri <vodič>, npr. /krog preveri by-product. Smernice, ne pravni nasvet."},
	"guide_modal":       {"en": "krog check", "sl": "krog preverjanje"},
	"guide_posted":      {"en": "The full result, with reasons, next steps and sources, is in your messages.", "sl": "Celoten rezultat z razlogi, naslednjimi koraki in viri je med vašimi sporočili."},
	"record_sent":       {"en": "I sent the record (PDF) to our direct messages.", "sl": "Zapis (PDF) sem vam poslal v neposredna sporočila."},
	"btn_more":          {"en": "More sources", "sl": "Več virov"},
	"btn_show":          {"en": "Show", "sl": "Prikaži"},
	"btn_open":          {"en": "Open", "sl": "Odpri"},
	"topics_title":      {"en": "What krog knows", "sl": "Kaj krog ve"},
	"topics_hint":       {"en": "Ask in your own words, in Slovene or English: /krog When is a residue a by-product?", "sl": "Vprašajte s svojimi besedami, slovensko ali angleško: /krog Kdaj je ostanek stranski proizvod?"},
	"acronyms":          {"en": "Acronyms", "sl": "Kratice"},
	"define_empty":      {"en": "Which term? For example: /krog define by-product", "sl": "Kateri izraz? Na primer: /krog define stranski proizvod"},
	"expired":           {"en": "I no longer have that answer (I keep answers for a day). Please ask again.", "sl": "Tega odgovora nimam več (odgovore hranim en dan). Prosim, vprašajte znova."},
	"not_installed":     {"en": "krog is not installed in this workspace (any more). An admin can add it here:", "sl": "krog v tem delovnem prostoru ni (več) nameščen. Skrbnik ga lahko doda tukaj:"},
	"thanks_vote":       {"en": "Thank you: your feedback helps the curators improve krog.", "sl": "Hvala: vaš odziv kuratorjem pomaga izboljšati krog."},
	"doc_missing":       {"en": "I cannot find that document any more. Try /krog topics.", "sl": "Tega dokumenta ne najdem več. Poskusite /krog topics."},
	"modal_title":       {"en": "What was missing?", "sl": "Kaj je manjkalo?"},
	"modal_label":       {"en": "What did you need that the answer did not give?", "sl": "Kaj ste potrebovali, pa odgovor tega ni dal?"},
	"modal_placeholder": {"en": "e.g. the deadline for registering with ARSO", "sl": "npr. rok za prijavo na ARSO"},
	"modal_submit":      {"en": "Send", "sl": "Pošlji"},
	"modal_close":       {"en": "Cancel", "sl": "Prekliči"},
	"help_intro":        {"en": "I am krog, a circular-economy advisor. I answer from curated guidance on circular-economy strategy, EU and Slovene waste and product law, industrial symbiosis in practice, barriers, cases, funding and sectors, in Slovene or English, always with sources. Guidance, not legal advice.", "sl": "Sem krog, svetovalec za krožno gospodarstvo. Odgovarjam iz preverjenih smernic o strategijah krožnega gospodarstva, evropski in slovenski zakonodaji o odpadkih in izdelkih, industrijski simbiozi v praksi, ovirah, primerih, financiranju in sektorjih, slovensko ali angleško, vedno z viri. Smernice, ne pravni nasvet."},
	"help_usage":        {"en": "*/krog* _question_: an answer only you see, with sources and a button to share it\n*/krog share* _question_: an answer for the whole channel\n*/krog topics*: what I know, by topic\n*/krog define* _term_: a glossary entry in Slovene and English\n*@krog* _question_ in a channel: I reply in the thread, and answer follow-ups there without being tagged again\nA direct message to me works too.", "sl": "*/krog* _vprašanje_: odgovor, ki ga vidite le vi, z viri in gumbom za deljenje\n*/krog share* _vprašanje_: odgovor za ves kanal\n*/krog topics*: kaj vem, po temah\n*/krog define* _izraz_: geslo iz slovarja v slovenščini in angleščini\n*@krog* _vprašanje_ v kanalu: odgovorim v niti in tam odgovarjam tudi na nadaljnja vprašanja brez ponovnega označevanja\nPišete mi lahko tudi neposredno."},
	"help_examples":     {"en": "*Examples*\n• /krog When is a production residue a by-product and not waste?\n• /krog What does the EU Ecodesign Regulation require?\n• /krog define end-of-waste\n• @krog What funding is there for industrial symbiosis in Slovenia?", "sl": "*Primeri*\n• /krog Kdaj je ostanek proizvodnje stranski proizvod in ne odpadek?\n• /krog Kaj je razširjena odgovornost proizvajalca?\n• /krog define prenehanje statusa odpadka\n• @krog Katera sredstva so na voljo za industrijsko simbiozo v Sloveniji?"},
	"example_title":     {"en": "By-product or waste?", "sl": "Stranski proizvod ali odpadek?"},
	"example_question":  {"en": "When is a production residue a by-product and not waste?", "sl": "Kdaj je ostanek proizvodnje stranski proizvod in ne odpadek?"},
}

// say is the fixed text key in language l (English unless l is "sl"): the Slack face's own, or the
// answer's.
func say(l lang.Lang, key string) string {
	m, ok := slackText[key]
	if !ok {
		return answer.T(l, key)
	}
	if l == lang.SL {
		return m["sl"]
	}
	return m["en"]
}
