package sqlgen

import (
	"strings"

	"github.com/joinedup/joinedup/internal/store"
)

// Table is one of the tables a Write replaces the rows of: the index tables, links and
// compartments, all keyed by rid.
type Table struct {
	Name    string
	Columns []string // rid first
}

// Tables indexes: the positions Rows reports.
const (
	TString = iota
	TToken
	TDate
	TNumber
	TQuantity
	TReference
	TURI
	TComposite
	TText
	TLinks
	TCompartments
)

// WriteTables lists the per-resource tables in the order of the T constants.
var WriteTables = []Table{
	TString:    {"idx_string", []string{"rid", "type", "param", "value", "exact"}},
	TToken:     {"idx_token", []string{"rid", "type", "param", "system", "code", "text"}},
	TDate:      {"idx_date", []string{"rid", "type", "param", "low", "high"}},
	TNumber:    {"idx_number", []string{"rid", "type", "param", "low", "high", "literal"}},
	TQuantity:  {"idx_quantity", []string{"rid", "type", "param", "system", "code", "unit", "low", "high", "canonical_code", "canonical_low", "canonical_high"}},
	TReference: {"idx_reference", []string{"rid", "type", "param", "target_type", "target_id", "target_version", "url", "identifier_system", "identifier_value"}},
	TURI:       {"idx_uri", []string{"rid", "type", "param", "value"}},
	TComposite: {"idx_composite", []string{"rid", "type", "param",
		"p1_system", "p1_code", "p1_low", "p1_high", "p2_system", "p2_code", "p2_low", "p2_high",
		"p3_system", "p3_code", "p3_low", "p3_high"}},
	TText:         {"idx_text", []string{"rid", "type", "param", "value"}},
	TLinks:        {"links", []string{"rid", "target_type", "target_id"}},
	TCompartments: {"compartments", []string{"rid", "comp_type", "comp_id"}},
}

// Insert renders an INSERT of n rows for t.
func (t Table) Insert(d Dialect, n int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + t.Name + " (" + strings.Join(t.Columns, ", ") + ") VALUES ")
	arg := 0
	for r := range n {
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(")
		for c := range t.Columns {
			if c > 0 {
				sb.WriteString(", ")
			}
			arg++
			sb.WriteString(d.Placeholder(arg))
		}
		sb.WriteString(")")
	}
	return sb.String()
}

// Rows calls emit with the values (in Columns order) of every row w adds for the
// resource with key rid; links and compartment rows only when asked for.
func Rows(w *store.Write, rid int64, withLinks, withCompartments bool, emit func(table int, vals ...any) error) error {
	typ := w.Type
	x := &w.Index
	for _, e := range x.Strings {
		if err := emit(TString, rid, typ, e.Param, e.Value, e.Exact); err != nil {
			return err
		}
	}
	for i, e := range x.Tokens {
		if dupOf(x.Tokens, i, func(a, b store.TokenEntry) bool {
			return a.Param == b.Param && a.System == b.System && a.Code == b.Code
		}) {
			continue
		}
		if err := emit(TToken, rid, typ, e.Param, e.System, e.Code, e.Text); err != nil {
			return err
		}
	}
	for _, e := range x.Dates {
		if err := emit(TDate, rid, typ, e.Param, Micros(e.Low, false), Micros(e.High, true)); err != nil {
			return err
		}
	}
	for _, e := range x.Numbers {
		if err := emit(TNumber, rid, typ, e.Param, e.Low, e.High, e.Literal); err != nil {
			return err
		}
	}
	for _, e := range x.Quantities {
		if err := emit(TQuantity, rid, typ, e.Param, e.System, e.Code, e.Unit, e.Low, e.High,
			e.CanonicalCode, e.CanonicalLow, e.CanonicalHigh); err != nil {
			return err
		}
	}
	for i, e := range x.References {
		if dupOf(x.References, i, func(a, b store.ReferenceEntry) bool {
			return a.Param == b.Param && a.TargetType == b.TargetType && a.TargetID == b.TargetID && a.URL == b.URL
		}) {
			continue
		}
		if err := emit(TReference, rid, typ, e.Param, e.TargetType, e.TargetID, e.TargetVersion,
			e.URL, e.IdentifierSystem, e.IdentifierValue); err != nil {
			return err
		}
	}
	for _, e := range x.URIs {
		if err := emit(TURI, rid, typ, e.Param, e.Value); err != nil {
			return err
		}
	}
	for _, e := range x.Composites {
		var p [store.MaxCompositeParts]store.CompositePart
		copy(p[:], e.Parts)
		if err := emit(TComposite, rid, typ, e.Param,
			p[0].System, p[0].Code, p[0].Low, p[0].High, p[1].System, p[1].Code, p[1].Low, p[1].High,
			p[2].System, p[2].Code, p[2].Low, p[2].High); err != nil {
			return err
		}
	}
	for _, e := range x.Texts {
		if err := emit(TText, rid, typ, e.Param, e.Value); err != nil {
			return err
		}
	}
	if withLinks {
		for _, l := range w.Links {
			if err := emit(TLinks, rid, l.Type, l.ID); err != nil {
				return err
			}
		}
	}
	if withCompartments {
		for _, c := range w.Compartments {
			if err := emit(TCompartments, rid, c.Type, c.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// KeepCompartments reports whether a write leaves the resource's compartment rows as
// they are: a delete that names no compartments keeps the deleted resource visible (410,
// history) to the compartment it was in.
func KeepCompartments(w *store.Write) bool {
	return w.Op == store.OpDelete && len(w.Compartments) == 0
}

// dupOf reports whether rows[i] repeats an earlier row by same: a resource has one
// token row per (param, system, code) (the first one's text) and one reference row per
// (param, target), so that a search driven by their index needs no DISTINCT.
func dupOf[T any](rows []T, i int, same func(a, b T) bool) bool {
	for j := 0; j < i; j++ {
		if same(rows[j], rows[i]) {
			return true
		}
	}
	return false
}
