// Package sqlgen writes the SQL that both SQL backends of package store run for reads:
// search over the typed index tables with the FHIR search semantics of
// https://hl7.org/fhir/R4/search.html (prefixes over ranges, token system|code forms,
// string starts-with/:exact/:contains, :missing, :not, :text, :of-type, uri :above and
// :below, reference :above and :below through a hierarchy whose links point at wholes or
// at parts (a recursive query that ends on cycles), composites, Location near by
// great-circle distance, full text), chains to any depth and nested _has, multi-key
// _sort with keyset cursors, _include/_revinclude (:iterate, *), totals, history
// (https://hl7.org/fhir/R4/http.html#history) and the AccessFilter predicate, which every
// statement (chains, _has and includes too) carries. Run executes a search the same way
// for both backends. The two share one logical schema (see their migrations); a Dialect
// carries what differs.
//
// A search is planned around one driving clause whose index yields the candidate rids;
// every other criterion is a correlated EXISTS probe on a covering (rid, param, value)
// index. Driver chooses it, the same way on both engines:
//
//   - An equality on an indexed value (a compartment, a reference to one resource, a
//     token, a hierarchy's ids, a uri) drives at once, no questions asked: where its
//     index yields rids in order, a page stops after Count rows.
//   - Otherwise a range criterion may drive: one value of a date, number, quantity (in
//     the units it was written: converted units have no index) or _lastUpdated, whose
//     prefix bounds an indexed column, given that every index range has low <= high
//     (package search writes no reversed range): eq seeks low in [vl, vh]; lt, eb low <
//     vl; le, ap low <= vh; sa low > vh; gt high > vh; ge high >= vl (indexes on low, on
//     high, and current's (type, deleted, last_updated)); ne has no bound. Run first
//     probes each such criterion, counting its index rows within the bound up to
//     Dialect.RangeCap (2,000) through the page's Querier; the fewest under the cap
//     drive: all of them are read, distinct rids sorted for the page (or its keyset
//     cursor), which is cheap because they are few. At the cap the range is too dense
//     to be worth reading whole; such a probe is the price of the choice (about 0.3 ms
//     on SQLite), paid by dense range searches only.
//   - A string prefix drives unless a probed range has fewer index rows: both are read
//     whole and sorted, so the fewer rows are the cheaper plan.
//   - Without a driver the type is scanned in rid order, testing each resource, and the
//     page stops after Count matches: quick when matches are dense, which is when a
//     range has reached the cap.
//   - Without a driver but sorted first by a key of an index parameter (a date, number,
//     quantity, string, token, uri or reference), the sort drives: its index is read in
//     the key's order (low ascending, high descending for ranges), keeping each
//     resource's first row in that order, which holds its sort value (a probe of the
//     index on rid finds no row before it, nor an equal row with a smaller rowid or
//     ctid: DISTINCT would make PostgreSQL 15 sort every candidate), testing the
//     criteria and the access filter per candidate, and stopping after Count. Ties on
//     the value are sorted by the later keys, computed per candidate, and rid as they
//     come (SQLite sorts the right part of the ORDER BY, PostgreSQL sorts
//     incrementally). Resources without a value, which sort last, follow in rid order
//     (with later keys: all of them sorted by those) in a second statement that Run
//     reads only while the page is not full. A cursor seeks in its part: the value in
//     the index, then the later values and rid; or, among those without a value, the
//     rid, or the later values and rid. Sorted first by _id or _lastUpdated, the sort
//     drives the same way through current's index on (type, id) or (type, deleted,
//     last_updated), in one statement: every resource has those. Driven searches
//     (which have few candidates) and searches of several types sort every candidate.
//
// Index rows exist only for current, undeleted versions, so where the other criteria and
// the sort keys read only the rid, the driver's rows are the candidates and no row of
// current is read for each (indexOnly); otherwise each is joined to current.
//
// Sorts, cursors in both directions, includes, totals and estimates (a range driver is
// sampled like any range out of rid order) take whichever driver was chosen; the choice
// changes how a search runs, never what it finds.
//
// Totals are exact when asked for (store.Query.CountTotal), exact within a budget of
// CheapRows index rows (CheapTotal), or exact within that budget and otherwise estimated (EstimateTotal):
// approximate, from the planner's row estimate or a bounded sample (see estimate.go).
package sqlgen
