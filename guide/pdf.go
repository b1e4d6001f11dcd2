package guide

import (
	_ "embed"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// The record is set in DejaVu Sans (its licence is in fonts/LICENSE), which has č, š, ž and every
// other letter Slovene and English need.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// Record writes the result of a completed check as a PDF for the company's file: the date, the
// guide, every question with its answer, the verdict, the reasons, the next steps, what to keep,
// whom to ask and the sources, and the footer.
func Record(w io.Writer, r Result, at time.Time) error {
	if r.Outcome == "" {
		return fmt.Errorf("record of %s: the check has no outcome yet", r.Guide)
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.SetTitle(Label(r.Lang, "record")+": "+r.Title, true)
	p.SetCreator("krog", true)
	p.AddUTF8FontFromBytes("dejavu", "", fontRegular)
	p.AddUTF8FontFromBytes("dejavu", "B", fontBold)
	p.SetMargins(20, 20, 20)
	p.SetAutoPageBreak(true, 20)
	p.AddPage()
	text := func(style string, size float64, s string) {
		p.SetFont("dejavu", style, size)
		p.MultiCell(0, size*0.5, s, "", "L", false)
	}
	gap := func() { p.Ln(3) }
	text("", 9, Label(r.Lang, "record")+" · krog")
	text("B", 15, r.Title)
	text("", 10, Label(r.Lang, "date")+": "+at.Format("2006-01-02 15:04"))
	gap()
	text("B", 12, Label(r.Lang, "answers"))
	for i, a := range r.Answers {
		text("", 10, fmt.Sprintf("%d. %s", i+1, a.Text))
		text("B", 10, "   → "+a.Answer)
	}
	gap()
	text("B", 12, Label(r.Lang, "verdict")+": "+r.Verdict)
	text("", 10, r.Summary)
	for _, sec := range r.Sections() {
		gap()
		text("B", 12, sec.Title)
		for _, it := range sec.Items {
			text("", 10, "• "+it)
		}
	}
	gap()
	text("", 8, Label(r.Lang, "footer"))
	if err := p.Error(); err != nil {
		return fmt.Errorf("record of %s: %w", r.Guide, err)
	}
	if err := p.Output(w); err != nil {
		return fmt.Errorf("record of %s: %w", r.Guide, err)
	}
	return nil
}

// FileName is a name for the record's file.
func FileName(r Result, at time.Time) string {
	return fmt.Sprintf("krog-%s-%s.pdf", r.Guide, strings.ReplaceAll(at.Format("2006-01-02"), " ", ""))
}
