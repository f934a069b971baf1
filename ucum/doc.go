// Package ucum converts quantities between units of the Unified Code for Units of Measure
// (UCUM, https://ucum.org/ucum): it parses unit expressions (prefixes, exponents,
// products and quotients, parentheses, annotations, factors such as 10*3) over a table of
// the common atoms — SI base and derived units, time units including the calendar
// durations wk, mo and a, litres, the customary units used in clinical data ([lb_av],
// [in_i], [oz_av]), mm[Hg] and cm[H2O], % and ppm — and the special units Cel and [degF],
// whose conversion has an offset.
//
// Values are exact decimals (github.com/cockroachdb/apd/v3); conversions are done with
// 34 significant digits. FHIRPath (quantity equality, comparison and arithmetic) and
// search (quantity indexing in canonical units) use it.
//
// Specification: https://ucum.org/ucum (sections 2 "Syntax Rules" and 4 "Base Units").
package ucum
