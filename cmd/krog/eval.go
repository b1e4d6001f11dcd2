package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/krog-advisor/krog/index"
)

func cmdEval(e *env, args []string) error {
	fs := newFlags(e, "eval", "[--file F] [--json] [-k N] [--min-hit X]",
		"Run a question file and report hit@k and MRR per language, the share of off-topic questions\nrejected, language detection accuracy and query latency. Exits 0 whatever the score, unless\n--min-hit is set and a language scores below it.")
	file := fs.String("file", "", "question file (JSON lines; default: the knowledge base's eval/questions.jsonl)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	k := fs.Int("k", 3, "a question passes if a match is in the top `N` passages")
	minHit := fs.Float64("min-hit", 0, "exit 1 if hit@k of any language is below `X` (0–1)")
	dir := knowledgeFlag(e, fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *k < 1 || *k > 50 {
		return &usageError{msg: fmt.Sprintf("-k %d: use a number from 1 to 50", *k)}
	}
	var r io.Reader
	name := *file
	if name != "" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("open question file: %w", err)
		}
		defer f.Close()
		r = f
	} else {
		fsys, _, err := corpusFS(*dir)
		if err != nil {
			return err
		}
		name = "eval/questions.jsonl"
		f, err := fsys.Open(name)
		if err != nil {
			return fmt.Errorf("open question file: %w", err)
		}
		defer f.Close()
		r = f
	}
	qs, err := index.ReadQuestions(r, name)
	if err != nil {
		return err
	}
	idx, err := e.load(*dir)
	if err != nil {
		return err
	}
	defer idx.Close()
	results, sum, err := index.Evaluate(e.ctx, idx, qs, *k)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(e.stdout, map[string]any{"k": *k, "summary": sum, "results": results}); err != nil {
			return err
		}
	} else {
		printEval(e.stdout, results, sum, *k)
	}
	if *minHit > 0 {
		for l, ls := range sum.ByLang {
			if ls.HitAtK < *minHit {
				return fmt.Errorf("hit@%d for %s is %.3f, below --min-hit %.3f", *k, l, ls.HitAtK, *minHit)
			}
		}
	}
	return nil
}

func printEval(w io.Writer, results []index.EvalResult, sum index.EvalSummary, k int) {
	fails := 0
	for _, r := range results {
		if r.Pass {
			continue
		}
		fails++
		why := "no matching passage in the top " + fmt.Sprint(k)
		switch {
		case r.Q.OffTopic():
			why = "off-topic question was answered"
		case !r.Found:
			why = "answered found: false"
		}
		fmt.Fprintf(w, "miss %-12s [%s→%s] %s — %s\n", r.ID, r.Lang, r.Detected, r.Q.Q, why)
		for i, h := range r.Hits {
			if i == k {
				break
			}
			fmt.Fprintf(w, "       %d. %s — %s (%s)\n", i+1, h.Title, h.Section, h.Lang)
		}
	}
	if fails > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "questions: %d   k: %d\n", sum.Questions, k)
	for _, l := range slices.Sorted(maps.Keys(sum.ByLang)) {
		ls := sum.ByLang[l]
		fmt.Fprintf(w, "  %s: hit@%d %.3f  MRR %.3f  (%d/%d)\n", l, k, ls.HitAtK, ls.MRR, ls.Passed, ls.N)
	}
	fmt.Fprintf(w, "  off-topic rejected: %.3f (%d questions); on-topic answered not-found: %d\n", sum.OffTopicRej, sum.OffTopic, sum.Missed)
	fmt.Fprintf(w, "  language detection accuracy: %.3f\n", sum.DetectAccuracy)
	fmt.Fprintf(w, "  latency: p50 %.3f ms, p95 %.3f ms\n", sum.P50MS, sum.P95MS)
}
