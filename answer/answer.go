// Package answer is the use case "answer this question": it cleans the question, detects its
// language (lang.Resolve), retrieves passages within a bounded number of slots, takes the index's
// confidence (high, low, none), and composes the extractive reply (curated summary, best passage with the question's words highlighted, sources) or, when a
// Summarizer is configured, a grounded LLM summary with a safe fallback. It knows nothing of Slack
// or the terminal; both render a Reply.
package answer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

// MaxQuestion is the longest question krog reads, in characters; longer ones are cut.
const MaxQuestion = 2000

// SnippetLen is the length of the passage excerpt shown with an answer, in bytes.
const SnippetLen = 600

// Service answers questions from an index.
type Service struct {
	idx     atomic.Pointer[index.Index] // swapped whole when the knowledge is reloaded
	sum     Summarizer                  // nil: extractive answers only
	timeout time.Duration
	redact  bool
	log     *slog.Logger
	now     func() time.Time
	slots   chan struct{} // one per question being retrieved and composed
	wait    time.Duration // the longest a question waits for a slot before ErrBusy
}

// ErrBusy is returned when every slot stayed taken for the whole queue wait: too many questions at
// once. Faces tell the user to try again in a minute.
var ErrBusy = errors.New("answer: too many questions at once")

// Config is what a Service needs besides its index; the zero value answers extractively.
type Config struct {
	Summarizer Summarizer    // nil: no LLM
	Timeout    time.Duration // for the whole LLM step, retry included (default 20 s)
	Redact     bool          // mask e-mail addresses, phone numbers, IBANs and tax numbers before the LLM
	Logger     *slog.Logger
	// Workers is how many questions are retrieved and composed at once (default: the number of
	// CPUs). It covers computing only: the model's call happens outside it, so a slow model holds
	// no slot, and a burst of questions cannot starve the rest of the process of CPU.
	Workers int
	// QueueWait is the longest a question waits for a slot before Answer returns ErrBusy
	// (default 10 s).
	QueueWait time.Duration
}

// New returns a Service answering from idx.
func New(idx *index.Index, cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.QueueWait <= 0 {
		cfg.QueueWait = 10 * time.Second
	}
	s := &Service{sum: cfg.Summarizer, timeout: cfg.Timeout, redact: cfg.Redact, log: cfg.Logger, now: time.Now,
		slots: make(chan struct{}, cfg.Workers), wait: cfg.QueueWait}
	s.idx.Store(idx)
	return s
}

// LLM reports whether the service summarises with a model.
func (s *Service) LLM() bool { return s.sum != nil }

// Index is the index the service answers from.
func (s *Service) Index() *index.Index { return s.idx.Load() }

// SetIndex makes idx the index new questions are answered from and returns the one it replaces;
// answers already running finish on it, so the caller closes it once they are done.
func (s *Service) SetIndex(idx *index.Index) *index.Index { return s.idx.Swap(idx) }

// Request is one question.
type Request struct {
	Question string
	Lang     lang.Lang // forces the answer language; lang.Unknown detects it
	K        int       // sources to return (default 3)
	Offset   int       // skip this many documents ("more sources")
	// Context is the thread's earlier question; a short follow-up ("and in Slovenia?") is read with it.
	Context string
	NoLLM   bool
	// OnDelta, if set, receives the LLM's text as it streams in.
	OnDelta func(text string)
}

// Reply is krog's answer.
type Reply struct {
	Question string    `json:"question"`
	Lang     lang.Lang `json:"lang"`
	Detected lang.Lang `json:"detected_lang"`
	Found    bool      `json:"found"` // confidence is high or low
	// Confidence is "high" (an answer), "low" (the closest guidance krog has, which may not
	// answer exactly) or "none" (no guidance; never sent to a model).
	Confidence string        `json:"confidence"`
	Mode       string        `json:"mode"` // "extractive" or "llm"
	Model      string        `json:"model,omitempty"`
	Usage      *Usage        `json:"usage,omitempty"`
	Fallback   string        `json:"fallback,omitempty"`
	Answer     string        `json:"answer"` // plain text of the whole answer
	Sources    []Source      `json:"sources"`
	Notices    []string      `json:"notices,omitempty"`
	TookMS     float64       `json:"took_ms"`
	Took       time.Duration `json:"-"`

	// What the faces render.
	Summary     string   `json:"-"` // curated summary of the best document (extractive)
	LLMText     string   `json:"-"` // the LLM's answer with [n] citations (mode llm)
	Title       string   `json:"-"` // title of the best document
	Heading     string   `json:"-"` // section of the best passage
	Passage     Snippet  `json:"-"` // best passage excerpt with highlights
	LangNote    string   `json:"-"` // "available in Slovene only", …
	Suggestions []string `json:"-"` // titles of close documents (not found)
	DocID       string   `json:"-"`
	// Related are "asked as" questions of the next documents in the ranking, in the asker's
	// language, for "related questions" buttons.
	Related []string `json:"related,omitempty"`

	// What the eval reads.
	P        float64        `json:"-"` // the confidence model's probability
	Features index.Features `json:"-"`
	Ranked   []RankedDoc    `json:"-"` // the ranking's documents, gate ignored
}

// RankedDoc is a document of the ranking: its best passage in the asker's language and every
// passage of it that was retrieved.
type RankedDoc struct {
	Best     *knowledge.Section
	Passages []*knowledge.Section
}

// Snippet is a passage excerpt with highlighted ranges.
type Snippet = index.Snippet

// Usage is the LLM's token count.
type Usage struct {
	Prompt     int `json:"prompt_tokens"`
	Completion int `json:"completion_tokens"`
	Total      int `json:"total_tokens"`
}

// Source is one document the answer rests on, with its best passage.
type Source struct {
	ID           string             `json:"id"`
	Title        string             `json:"title"`
	URL          string             `json:"url"`
	Lang         string             `json:"lang"`
	Jurisdiction string             `json:"jurisdiction"`
	Updated      string             `json:"updated"`
	Section      string             `json:"section"`
	Snippet      string             `json:"snippet"`
	Score        float64            `json:"score"`
	Links        []knowledge.Source `json:"links"`
	Excerpt      Snippet            `json:"-"`
}

// InputError is a question krog cannot take; Msg is a friendly sentence in each language.
type InputError struct{ Key string }

func (e *InputError) Error() string { return T(lang.EN, e.Key) }

// Message is the friendly sentence in language l.
func (e *InputError) Message(l lang.Lang) string { return T(l, e.Key) }

// Clean makes user text safe to search: valid UTF-8, no control characters, single spaces, at most
// MaxQuestion characters. cut reports whether it was shortened.
func Clean(q string) (clean string, cut bool) {
	q = strings.ToValidUTF8(q, " ")
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u200b' || r == '\ufeff' {
			return ' '
		}
		return r
	}, q)
	q = strings.Join(strings.Fields(q), " ")
	if utf8.RuneCountInString(q) > MaxQuestion {
		cut = true
		r := []rune(q)[:MaxQuestion]
		q = string(r)
		if i := strings.LastIndex(q, " "); i > MaxQuestion*3/4 {
			q = q[:i]
		}
	}
	return q, cut
}

func hasWords(q string) bool {
	for _, r := range q {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// Prepare cleans and checks a question; the error is an *InputError.
func Prepare(q string) (string, bool, error) {
	q, cut := Clean(q)
	if q == "" {
		return "", false, &InputError{Key: "empty"}
	}
	if !hasWords(q) {
		return q, cut, &InputError{Key: "no_words"}
	}
	return q, cut, nil
}

// Answer answers one question. Errors are *InputError for unusable questions; anything else is
// krog's fault and should reach the user as T(lang, "error").
func (s *Service) Answer(ctx context.Context, req Request) (Reply, error) {
	start := s.now()
	q, cut, err := Prepare(req.Question)
	detected := lang.Detect(q)
	if _, err := lang.Parse(string(req.Lang)); err != nil {
		return Reply{Question: q, Lang: lang.EN, Confidence: string(index.None), Sources: []Source{}}, &InputError{Key: "bad_lang"}
	}
	l := lang.Resolve(req.Lang, q, req.Context, lang.Unknown)
	rep := Reply{Question: q, Detected: detected, Lang: l, Mode: "extractive", Confidence: string(index.None), Sources: []Source{}}
	if l == lang.Unknown {
		rep.Lang = lang.EN
	}
	if err != nil {
		return rep, err
	}
	if cut {
		rep.Notices = append(rep.Notices, T(rep.Lang, "cut"))
	}
	k := req.K
	if k <= 0 {
		k = 3
	}
	if err := s.acquire(ctx); err != nil {
		return rep, err
	}
	res, err := s.retrieve(ctx, q, req.Context, l, k+req.Offset)
	if err == nil {
		s.compose(&rep, res, k, req.Offset)
	}
	<-s.slots
	if err != nil {
		return rep, fmt.Errorf("answer %q: %w", truncate(q, 60), err)
	}
	if rep.Found && s.sum != nil && !req.NoLLM && req.Offset == 0 {
		s.summarize(ctx, req, &rep, res)
	}
	rep.Took = s.now().Sub(start)
	rep.TookMS = float64(rep.Took.Microseconds()) / 1000
	return rep, nil
}

// acquire takes a slot, waiting at most the queue wait.
func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(s.wait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return fmt.Errorf("waiting for a slot: %w", ctx.Err())
	}
}

// retrieve searches for q; a follow-up that is not understood alone is searched together with its
// thread's earlier question.
func (s *Service) retrieve(ctx context.Context, q, thread string, l lang.Lang, k int) (index.Result, error) {
	// Documents, not passages, are what an answer lists: fetch enough passages to fill k documents.
	want := k * 6
	words := lang.Detect(q)
	res, err := s.Index().Search(ctx, index.Query{Text: q, Lang: l, Words: words, K: want})
	if err != nil || thread == "" {
		return res, err
	}
	if res.Found && len(strings.Fields(q)) > 4 {
		return res, nil
	}
	both, err := s.Index().Search(ctx, index.Query{Text: thread + " " + q, Lang: l, Words: words, K: want})
	if err != nil {
		return res, fmt.Errorf("search with the thread's question: %w", err)
	}
	if both.Found || !res.Found {
		return both, nil
	}
	return res, nil
}

// compose fills rep with the extractive answer: the best document in the asker's language, its
// summary, its best passage, and up to k documents as sources (skipping offset documents).
func (s *Service) compose(rep *Reply, res index.Result, k, offset int) {
	rep.Found = res.Found
	rep.Confidence = string(res.Confidence)
	rep.P, rep.Features = res.P, res.Features
	l := rep.Lang
	docs := groupByDoc(res.Hits)
	for _, g := range docs {
		rd := RankedDoc{Best: s.bestIn(res.Hits, g, l).Section}
		for _, i := range g.hits {
			rd.Passages = append(rd.Passages, res.Hits[i].Section)
		}
		rep.Ranked = append(rep.Ranked, rd)
	}
	if res.Found && offset > 0 {
		docs = docs[min(offset, len(docs)):]
	}
	if !res.Found {
		rep.Answer = T(l, "not_found") + " " + T(l, "not_found_covers")
		seen := map[string]bool{}
		for _, g := range docs {
			if len(rep.Suggestions) == 3 {
				break
			}
			if d := s.preferred(g.doc.ID, l); d != nil && !seen[d.ID] {
				seen[d.ID] = true
				rep.Suggestions = append(rep.Suggestions, d.Title)
			}
		}
		return
	}
	for i, g := range docs {
		if len(rep.Sources) == k {
			break
		}
		hit := s.bestIn(res.Hits, g, l)
		d := hit.Section.Doc
		src := sourceFor(hit)
		src.Excerpt = s.Index().Snippet(hit.Section, hit.Terms, SnippetLen)
		src.Snippet = src.Excerpt.Render("**", "**", nil)
		rep.Sources = append(rep.Sources, src)
		if i == 0 {
			rep.DocID, rep.Title, rep.Summary = d.ID, d.Title, d.Summary
			rep.Heading, rep.Passage = hit.Section.Heading, src.Excerpt
			if d.Lang != string(l) {
				if l == lang.SL {
					rep.LangNote = T(l, "only_en")
				} else {
					rep.LangNote = T(l, "only_sl")
				}
			}
		}
	}
	if len(rep.Sources) == 0 {
		rep.Found = false
		rep.Confidence = string(index.None)
		rep.Answer = T(l, "more_none")
		return
	}
	rep.Related = s.related(docs[min(len(rep.Sources), len(docs)):], l)
	if res.Confidence == index.Low {
		var b strings.Builder
		b.WriteString(T(l, "low"))
		for _, src := range rep.Sources {
			b.WriteString("\n• " + src.Title)
		}
		b.WriteString("\n\n" + rep.Summary)
		rep.Answer = b.String()
		return
	}
	rep.Answer = rep.Summary + "\n\n" + rep.Heading + ": " + rep.Passage.Text
}

// related picks up to three "asked as" questions, one from each of the next documents, in
// language l.
func (s *Service) related(next []docGroup, l lang.Lang) []string {
	var out []string
	for _, g := range next {
		if len(out) == 3 {
			break
		}
		if d := s.preferred(g.doc.ID, l); d != nil && d.Lang == string(l) && len(d.Questions) > 0 {
			out = append(out, d.Questions[0])
		}
	}
	return out
}

type docGroup struct {
	doc  *knowledge.Doc
	hits []int
}

// groupByDoc orders documents by their best passage; both language versions of a document are
// one group.
func groupByDoc(hits []index.Hit) []docGroup {
	var out []docGroup
	at := map[string]int{}
	for i, h := range hits {
		id := h.Section.Doc.ID
		j, ok := at[id]
		if !ok {
			j = len(out)
			at[id] = j
			out = append(out, docGroup{doc: h.Section.Doc})
		}
		out[j].hits = append(out[j].hits, i)
	}
	return out
}

// bestIn is the best passage of a document group in language l, or its best passage in any
// language when l has none among the hits.
func (s *Service) bestIn(hits []index.Hit, g docGroup, l lang.Lang) index.Hit {
	for _, i := range g.hits {
		if hits[i].Section.Doc.Lang == string(l) {
			return hits[i]
		}
	}
	return hits[g.hits[0]]
}

func (s *Service) preferred(id string, l lang.Lang) *knowledge.Doc {
	return Preferred(s.Corpus(), id, l)
}

// Preferred is document id in language l, else in English, else in Slovene.
func Preferred(c *knowledge.Corpus, id string, l lang.Lang) *knowledge.Doc {
	if d := c.Doc(id, string(l)); d != nil {
		return d
	}
	if d := c.Doc(id, string(lang.EN)); d != nil {
		return d
	}
	return c.Doc(id, string(lang.SL))
}

// Corpus is the knowledge answering now.
func (s *Service) Corpus() *knowledge.Corpus { return s.Index().Corpus() }

// Define looks a term up in the glossary and the materials lexicon (see index.Define).
func (s *Service) Define(term string) (*knowledge.Term, []*knowledge.Term) {
	return s.Index().Define(term)
}

func round(f float64) float64 { return float64(int64(f*10000+0.5)) / 10000 }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
