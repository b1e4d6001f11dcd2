// Package latency summarises measured durations for krog's benchmarks: percentiles and
// milliseconds, taken the same way everywhere so that figures can be set side by side.
package latency

import (
	"slices"
	"time"
)

// Percentile is the p-th percentile (0 < p ≤ 1) of d, by the nearest-rank method; 0 for none.
func Percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// MS is d in milliseconds.
func MS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
