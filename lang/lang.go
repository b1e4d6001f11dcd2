// Package lang is krog's pure-Go language core for Slovene and English text.
//
// Bleve ships no Slovene analyzer and there is no Go Slovene stemmer, so this
// package provides the pieces the index/ package wraps as Bleve token
// filters, plus a language detector for short user questions:
//
//   - Fold and FoldRune: lowercase + diacritic folding (č→c, š→s, ž→z, đ→d,
//     é→e, ü→u, …), because users often type Slovene without diacritics
//     ("krozno gospodarstvo").
//   - StemSl: a light, rule-based Slovene suffix-stripping stemmer for one
//     folded token, so that odpadek, odpadka, odpadkov, odpadki … meet.
//   - IsStopSl and StopwordsSl: a curated list of Slovene function words.
//   - Detect: sl / en / unknown for a 1–15 word question.
//
// The package depends on the standard library only and must not import
// Bleve: it is the language knowledge, the index package is the plumbing.
package lang

// Lang is an ISO 639-1 language code as used across krog ("sl", "en").
type Lang string

// Languages Detect can return.
const (
	SL      Lang = "sl"
	EN      Lang = "en"
	Unknown Lang = ""
)
