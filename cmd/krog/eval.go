package main

import (
	"bytes"
	"fmt"
	"go/format"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/eval"
)

// realSets and regressionSet are the question files in the knowledge base's eval folder.
const (
	realSets      = "eval/real-*.jsonl"
	regressionSet = "eval/questions.jsonl"
)

func cmdEval(e *env, args []string) error {
	fs := newFlags(e, "eval", "[--file F] [--part tuning|held-out|all] [--json] [--min-ok X] [--min-rejected X] [--min-hit X] [--fit FILE]",
		"Ask the realistic question set (eval/real-*.jsonl) and the regression file (eval/questions.jsonl)\n"+
			"through the answer service and report what users get, per language and style: answered, ok@3\n"+
			"(answered with a right document among the first three), ok@1, rank@3 ignoring the confidence\n"+
			"gate, and unanswerable questions declined. The realistic set is split by a fixed rule into a\n"+
			"tuning part and a held-out part; the gates (--min-ok, --min-rejected) judge the held-out part.")
	file := fs.String("file", "", "ask only this question `file` (JSON lines)")
	part := fs.String("part", "all", "realistic questions to report: `tuning`, held-out or all")
	asJSON := fs.Bool("json", false, "print one JSON object")
	minOK := fs.Float64("min-ok", 0, "exit 1 if held-out ok@3 of a language is below `X` (0–1)")
	minRej := fs.Float64("min-rejected", 0, "exit 1 if fewer than `X` (0–1) of the held-out unanswerable questions are declined")
	minHit := fs.Float64("min-hit", 0, "exit 1 if the regression file's ok@3 of a language is below `X` (0–1)")
	fit := fs.String("fit", "", "refit the confidence model on the tuning part and the regression file and write it to `FILE` (index/model.go)")
	dir := knowledgeFlag(e, fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if !slices.Contains([]string{"tuning", "held-out", "all"}, *part) {
		return &usageError{msg: fmt.Sprintf("--part %q: use tuning, held-out or all", *part)}
	}
	sets, err := readSets(*file, *dir)
	if err != nil {
		return err
	}
	idx, err := e.load(*dir)
	if err != nil {
		return err
	}
	defer idx.Close()
	svc := answer.New(idx, answer.Config{})
	var reports []report
	var tuning []eval.Result
	for _, s := range sets {
		results, _, err := eval.Run(e.ctx, svc, s.qs)
		if err != nil {
			return err
		}
		if s.regression {
			tuning = append(tuning, results...)
			r := newReport(s.name, results, nil)
			r.regression = true
			reports = append(reports, r)
			continue
		}
		for _, p := range []string{"tuning", "held-out"} {
			sel := slices.DeleteFunc(slices.Clone(results), func(r eval.Result) bool { return r.HeldOut != (p == "held-out") })
			if p == "tuning" {
				tuning = append(tuning, sel...)
			}
			r := newReport(s.name+" ("+p+")", sel, nil)
			r.heldOut = p == "held-out"
			r.hidden = *part != "all" && *part != p // still gated, not shown
			reports = append(reports, r)
		}
	}
	if *fit != "" {
		return writeFit(e, *fit, tuning)
	}
	shown := slices.DeleteFunc(slices.Clone(reports), func(r report) bool { return r.hidden })
	if *asJSON {
		if err := writeJSON(e.stdout, map[string]any{"reports": shown}); err != nil {
			return err
		}
	} else {
		for _, r := range shown {
			printEvalReport(e.stdout, r)
		}
	}
	return gates(reports, *minOK, *minRej, *minHit)
}

// questionSet is one question file.
type questionSet struct {
	name       string
	regression bool
	qs         []eval.Question
}

// readSets reads the question file given, or the knowledge base's realistic sets and regression
// file.
func readSets(file, dir string) ([]questionSet, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("open question file: %w", err)
		}
		defer f.Close()
		qs, err := eval.Read(f, file)
		if err != nil {
			return nil, err
		}
		return []questionSet{{name: file, regression: len(qs) > 0 && !qs[0].Graded(), qs: qs}}, nil
	}
	fsys, _, err := corpusFS(dir)
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, realSets)
	if err != nil {
		return nil, fmt.Errorf("list question files: %w", err)
	}
	var real []eval.Question
	for _, n := range names {
		qs, err := readSet(fsys, n)
		if err != nil {
			return nil, err
		}
		real = append(real, qs...)
	}
	var sets []questionSet
	if len(real) > 0 {
		sets = append(sets, questionSet{name: "realistic", qs: real})
	}
	qs, err := readSet(fsys, regressionSet)
	if err != nil {
		return nil, err
	}
	return append(sets, questionSet{name: "regression", regression: true, qs: qs}), nil
}

func readSet(fsys fs.FS, name string) ([]eval.Question, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open question file: %w", err)
	}
	defer f.Close()
	return eval.Read(f, path.Clean(name))
}

// report is the figures of one set or part, and its misses.
type report struct {
	Name       string        `json:"name"`
	Summary    eval.Summary  `json:"summary"`
	Results    []eval.Result `json:"results"`
	misses     []eval.Result
	heldOut    bool // the held-out part of a realistic set: what --min-ok and --min-rejected judge
	regression bool // a regression file: what --min-hit judges
	hidden     bool // not asked for by --part: gated, not printed
}

func newReport(name string, results []eval.Result, lat []float64) report {
	for _, r := range results {
		lat = append(lat, float64(r.TookUS)/1000)
	}
	r := report{Name: name, Summary: eval.Summarize(results, lat), Results: results}
	for _, res := range results {
		if !res.Pass() {
			r.misses = append(r.misses, res)
		}
	}
	return r
}

func printEvalReport(w io.Writer, r report) {
	fmt.Fprintf(w, "== %s: %d questions\n", r.Name, r.Summary.Questions)
	for _, m := range r.misses {
		why := "no right document among the first three shown"
		switch {
		case m.Q.Unanswerable():
			why = "unanswerable question answered (" + m.Confidence + ")"
		case !m.Answered:
			why = "declined (none)"
		}
		fmt.Fprintf(w, "miss %-8s [%s %s p=%.2f] %s — %s; ranking %v\n", m.ID, m.Lang, m.Style, m.P, oneLine(m.Q.Q, 90), why, m.Docs)
	}
	header := func(name string, f *eval.Figures) {
		fmt.Fprintf(w, "  %-15s answerable %3d  answered %.3f (high %.3f)  ok@3 %.3f  ok@1 %.3f  rank@3 %.3f  MRR %.3f  | unanswerable %3d  declined %.3f\n",
			name, f.Answerable, f.Answered, f.High, f.OK3, f.OK1, f.Rank3, f.MRR, f.Unanswerable, f.Rejected)
	}
	header("all", &r.Summary.All)
	for _, l := range slices.Sorted(maps.Keys(r.Summary.ByLang)) {
		header(string(l), r.Summary.ByLang[l])
	}
	for _, s := range eval.Styles {
		if f := r.Summary.ByStyle[s]; f != nil {
			header(s, f)
		}
	}
	fmt.Fprintf(w, "  language detection %.3f   latency p50 %.3f ms, p95 %.3f ms\n\n", r.Summary.Detect, r.Summary.P50MS, r.Summary.P95MS)
}

// gates checks the held-out figures and the regression file against the flags' minimums; a gate
// with nothing to judge is an error, never a pass.
func gates(reports []report, minOK, minRej, minHit float64) error {
	var held, reg bool
	for _, r := range reports {
		held = held || r.heldOut && r.Summary.Questions > 0
		reg = reg || r.regression && r.Summary.Questions > 0
	}
	if (minOK > 0 || minRej > 0) && !held {
		return fmt.Errorf("--min-ok and --min-rejected judge the held-out part of a realistic question set, and there is none")
	}
	if minHit > 0 && !reg {
		return fmt.Errorf("--min-hit judges a regression question file, and there is none")
	}
	for _, r := range reports {
		held, reg := r.heldOut, r.regression
		for _, l := range slices.Sorted(maps.Keys(r.Summary.ByLang)) {
			f := r.Summary.ByLang[l]
			if held && minOK > 0 && f.OK3 < minOK {
				return fmt.Errorf("held-out ok@3 for %s is %.3f, below --min-ok %.3f", l, f.OK3, minOK)
			}
			if reg && minHit > 0 && f.OK3 < minHit {
				return fmt.Errorf("regression ok@3 for %s is %.3f, below --min-hit %.3f", l, f.OK3, minHit)
			}
		}
		if held && minRej > 0 && r.Summary.All.Unanswerable > 0 && r.Summary.All.Rejected < minRej {
			return fmt.Errorf("held-out unanswerable declined %.3f, below --min-rejected %.3f", r.Summary.All.Rejected, minRej)
		}
	}
	return nil
}

// Targets of the refit: answer 97 % of the answerable tuning questions the ranking serves, decline
// at least 90 % of the unanswerable ones, and give high confidence to at most 3 % of them.
const (
	fitLambda       = 0.1
	fitMinAnswered  = 0.97
	fitMinRejected  = 0.90
	fitMaxHighFalse = 0.03
)

func writeFit(e *env, file string, tuning []eval.Result) error {
	samples := eval.Samples(tuning)
	m, err := eval.Fit(samples, fitLambda, fitMinAnswered, fitMinRejected, fitMaxHighFalse)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	note := fmt.Sprintf("fitted on %d questions of the tuning part\n// of the realistic question set and the regression file (never on the held-out part).", len(samples))
	if err := eval.WriteModel(&b, m, note); err != nil {
		return err
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return fmt.Errorf("format model: %w", err)
	}
	if err := os.WriteFile(file, src, 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d samples, low from %.3f, high from %.3f; rebuild krog to use it\n", file, len(samples), m.LowAt, m.HighAt)
	return nil
}
