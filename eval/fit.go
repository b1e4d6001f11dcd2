package eval

import (
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/krog-advisor/krog/index"
)

// Sample is one question's features and whether an answer serves its asker: 1 for an answerable
// question whose first three documents hold a right one, 0 for an unanswerable question.
// Answerable questions the ranking misses are left out: the model judges whether the best document
// serves the question, and the ranking, not the gate, failed them.
type Sample struct {
	X []float64
	Y float64
}

// Samples turns results into training samples.
func Samples(results []Result) []Sample {
	var out []Sample
	for _, r := range results {
		switch {
		case r.Q.Unanswerable():
			out = append(out, Sample{X: r.Features.Vector(), Y: 0})
		case r.RankIgnore > 0 && r.RankIgnore <= 3:
			out = append(out, Sample{X: r.Features.Vector(), Y: 1})
		}
	}
	return out
}

// Model is a fitted logistic regression with its two thresholds.
type Model struct {
	Bias    float64
	Weights []float64
	HighAt  float64
	LowAt   float64
}

// P is the model's probability for features x.
func (m Model) P(x []float64) float64 {
	z := m.Bias
	for i, v := range x {
		z += m.Weights[i] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// Fit fits a logistic regression by Newton's method with a small ridge penalty (lambda, on the
// weights, not the bias), weighting the classes equally, then picks the thresholds: LowAt, the
// highest at which at least minAnswered of the positive samples are answered, provided it declines
// at least minRejected of the negatives (else the lowest that does); HighAt, the lowest at which
// at most maxHighFalse of the negatives would get high confidence.
func Fit(samples []Sample, lambda, minAnswered, minRejected, maxHighFalse float64) (Model, error) {
	if len(samples) == 0 {
		return Model{}, fmt.Errorf("no samples to fit")
	}
	d := len(samples[0].X) + 1
	var pos, neg float64
	for _, s := range samples {
		if s.Y == 1 {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return Model{}, fmt.Errorf("fitting needs both classes (%v answerable, %v unanswerable)", pos, neg)
	}
	cw := map[float64]float64{1: float64(len(samples)) / (2 * pos), 0: float64(len(samples)) / (2 * neg)}
	w := make([]float64, d)
	row := func(s Sample) []float64 { return append([]float64{1}, s.X...) }
	for iter := 0; iter < 50; iter++ {
		g := make([]float64, d)
		h := make([][]float64, d)
		for i := range h {
			h[i] = make([]float64, d)
		}
		for _, s := range samples {
			x := row(s)
			z := 0.0
			for i := range x {
				z += w[i] * x[i]
			}
			p := 1 / (1 + math.Exp(-z))
			c := cw[s.Y]
			for i := range x {
				g[i] += c * (p - s.Y) * x[i]
				for j := range x {
					h[i][j] += c * p * (1 - p) * x[i] * x[j]
				}
			}
		}
		for i := 1; i < d; i++ {
			g[i] += lambda * w[i]
			h[i][i] += lambda
		}
		h[0][0] += 1e-9
		step, err := solve(h, g)
		if err != nil {
			return Model{}, err
		}
		change := 0.0
		for i := range w {
			w[i] -= step[i]
			change = max(change, math.Abs(step[i]))
		}
		if change < 1e-8 {
			break
		}
	}
	m := Model{Bias: w[0], Weights: w[1:]}
	var ps, ns []float64
	for _, s := range samples {
		if s.Y == 1 {
			ps = append(ps, m.P(s.X))
		} else {
			ns = append(ns, m.P(s.X))
		}
	}
	sort.Float64s(ps)
	sort.Float64s(ns)
	// LowAt: as high as keeps minAnswered of the positives answered …
	low := math.Floor(ps[clamp(int(math.Floor((1-minAnswered)*float64(len(ps)))), len(ps))]*1000) / 1000
	// … but above the negative below which minRejected of them lie.
	k := int(math.Ceil(minRejected * float64(len(ns))))
	if k > 0 {
		low = max(low, above(ns[min(k, len(ns))-1]))
	}
	// HighAt: above all but maxHighFalse of the negatives.
	high := above(ns[clamp(len(ns)-int(math.Floor(maxHighFalse*float64(len(ns))))-1, len(ns))])
	m.LowAt, m.HighAt = low, max(high, low)
	return m, nil
}

// clamp keeps i a valid index of a slice of length n (n > 0).
func clamp(i, n int) int { return max(0, min(i, n-1)) }

// above is the smallest multiple of 0.001 greater than p.
func above(p float64) float64 {
	v := math.Ceil(p*1000) / 1000
	if v <= p {
		v += 0.001
	}
	return v
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64{}, a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return nil, fmt.Errorf("fit: the features are degenerate (column %d)", c)
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
}

// WriteModel writes m as the Go source of index/model.go.
func WriteModel(w io.Writer, m Model, note string) error {
	_, err := fmt.Fprintf(w, `// Code generated by "krog eval --fit"; DO NOT EDIT.

package index

// The confidence model: a logistic regression over Features.Vector, %s
const (
	modelBias = %.4f
	// HighAt and LowAt are the probabilities from which an answer is high or low confidence.
	HighAt = %.3f
	LowAt  = %.3f
)

var modelWeights = []float64{
`, note, m.Bias, m.HighAt, m.LowAt)
	if err != nil {
		return err
	}
	for i, v := range m.Weights {
		if _, err := fmt.Fprintf(w, "\t%.4f, // %s\n", v, index.FeatureNames[i]); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintln(w, "}")
	return err
}
