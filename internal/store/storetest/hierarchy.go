package storetest

import (
	"context"
	"math"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
)

// hierarchyFixture writes the suite's two hierarchies as the server indexes them, with
// a resource of another type referring to each of their members.
//
// Location partof, pointing a part at its whole: a four-level tree (site > building >
// ward > bed, and a bed below the ward that is then deleted), a second tree (clinic >
// room), a cycle (c1 > c3 > c2 > c1) and an Encounter location at each.
//
// Observation has-member, pointing a whole at its parts: a panel of two sub-panels that
// share a member (panel > sub-a > m1, m2; panel > sub-b > m2, m3), a deleted panel that
// had m1, a cycle (k1 > k2 > k3 > k1) and a DiagnosticReport result at each.
func hierarchyFixture(t *testing.T, s store.Store) {
	loc := func(id, parent string) {
		var x store.Index
		if parent != "" {
			x.References = []store.ReferenceEntry{{Param: "partof", TargetType: "Location", TargetID: parent}}
		}
		put(t, s, store.Write{Resource: store.Resource{Type: "Location", ID: id}, Index: x})
	}
	loc("site", "")
	loc("building", "site")
	loc("ward", "building")
	loc("bed", "ward")
	loc("bed2", "ward")
	loc("clinic", "")
	loc("room", "clinic")
	loc("c1", "c3")
	loc("c2", "c1")
	loc("c3", "c2")
	put(t, s, store.Write{Resource: store.Resource{Type: "Location", ID: "outside"}, Index: store.Index{
		References: []store.ReferenceEntry{{Param: "partof", URL: "http://elsewhere/Location/site"}}}})
	enc := func(id, typ, target string) {
		put(t, s, store.Write{Resource: store.Resource{Type: "Encounter", ID: id}, Index: store.Index{
			References: []store.ReferenceEntry{{Param: "location", TargetType: typ, TargetID: target}}}})
	}
	for _, l := range []string{"site", "building", "ward", "bed", "bed2", "room", "c1", "c2"} {
		enc("e-"+l, "Location", l)
	}
	enc("e-org", "Organization", "ward") // the same id as a Location, of another type
	del(t, s, "Location", "bed2", base)

	obs := func(id string, members ...string) {
		var x store.Index
		for _, m := range members {
			x.References = append(x.References, store.ReferenceEntry{Param: "has-member", TargetType: "Observation", TargetID: m})
		}
		put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: id}, Index: x})
	}
	obs("m1")
	obs("m2")
	obs("m3")
	obs("sub-a", "m1", "m2")
	obs("sub-b", "m2", "m3")
	obs("panel", "sub-a", "sub-b")
	obs("old", "m1")
	obs("k1", "k2")
	obs("k2", "k3")
	obs("k3", "k1")
	put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: "outer"}, Index: store.Index{
		References: []store.ReferenceEntry{{Param: "has-member", URL: "http://elsewhere/Observation/panel"}}}})
	for _, o := range []string{"panel", "sub-a", "sub-b", "m1", "m2", "m3", "old", "k1", "k2"} {
		put(t, s, store.Write{Resource: store.Resource{Type: "DiagnosticReport", ID: "r-" + o}, Index: store.Index{
			References: []store.ReferenceEntry{{Param: "result", TargetType: "Observation", TargetID: o}}}})
	}
	del(t, s, "Observation", "old", base)
}

// partof and members are the fixture's hierarchies, as a clause value without its id.
var (
	partof  = store.Value{TargetType: "Location", Hierarchy: "partof"}
	members = store.Value{TargetType: "Observation", Hierarchy: "has-member", HierarchyToParts: true}
)

func below(param string, h store.Value, id string) store.Clause {
	return hierClause(param, "below", h, id)
}
func above(param string, h store.Value, id string) store.Clause {
	return hierClause(param, "above", h, id)
}

func hierClause(param, mod string, h store.Value, ids ...string) store.Clause {
	c := store.Clause{Param: param, Kind: store.KindReference, Modifier: mod}
	for _, id := range ids {
		v := h
		v.TargetID = id
		c.Values = append(c.Values, v)
	}
	return c
}

func testSearchHierarchy(t *testing.T, s store.Store) {
	hierarchyFixture(t, s)
	prefixed := func(prefix string) func(ids ...string) []string {
		return func(ids ...string) []string {
			var out []string
			for _, id := range ids {
				out = append(out, prefix+id)
			}
			return out
		}
	}
	encs, reports, observations := prefixed("Encounter/e-"), prefixed("DiagnosticReport/r-"), prefixed("Observation/")
	cases := []struct {
		name    string
		typ     string
		clauses []store.Clause
		f       *store.AccessFilter
		want    []string
	}{
		{"below the root", "Encounter", []store.Clause{below("location", partof, "site")}, nil, encs("bed", "building", "site", "ward")},
		{"below the middle", "Encounter", []store.Clause{below("location", partof, "building")}, nil, encs("bed", "building", "ward")},
		{"below a leaf", "Encounter", []store.Clause{below("location", partof, "bed")}, nil, encs("bed")},
		{"a deleted child is no descendant", "Encounter", []store.Clause{below("location", partof, "ward")}, nil, encs("bed", "ward")},
		{"above a leaf", "Encounter", []store.Clause{above("location", partof, "bed")}, nil, encs("bed", "building", "site", "ward")},
		{"above the middle", "Encounter", []store.Clause{above("location", partof, "building")}, nil, encs("building", "site")},
		{"above the root", "Encounter", []store.Clause{above("location", partof, "site")}, nil, encs("site")},
		{"below in a cycle", "Encounter", []store.Clause{below("location", partof, "c1")}, nil, encs("c1", "c2")},
		{"above in a cycle", "Encounter", []store.Clause{above("location", partof, "c3")}, nil, encs("c1", "c2")},
		{"below either of two", "Encounter", []store.Clause{hierClause("location", "below", partof, "bed", "clinic")}, nil, encs("bed", "room")},
		{"below an unknown resource", "Encounter", []store.Clause{below("location", partof, "nowhere")}, nil, nil},
		{"with another criterion", "Encounter", []store.Clause{below("location", partof, "site"), clause("_id", store.KindID, "", text("e-ward"))}, nil, encs("ward")},
		{"the circular parameter below", "Location", []store.Clause{below("partof", partof, "site")},
			nil, []string{"Location/bed", "Location/building", "Location/ward"}},
		{"the circular parameter above", "Location", []store.Clause{above("partof", partof, "ward")},
			nil, []string{"Location/bed", "Location/building", "Location/ward"}},
		{"the circular parameter in a cycle", "Location", []store.Clause{below("partof", partof, "c2")},
			nil, []string{"Location/c1", "Location/c2", "Location/c3"}},
		{"in a chain", "Encounter", []store.Clause{chain("location", "Location", below("partof", partof, "building"))}, nil, encs("bed", "ward")},
		// The walk passes only through resources the caller may read.
		{"below, Locations hidden", "Encounter", []store.Clause{below("location", partof, "site")},
			&store.AccessFilter{Types: []string{"Encounter"}}, encs("site")},
		{"above, Locations hidden", "Encounter", []store.Clause{above("location", partof, "bed")},
			&store.AccessFilter{Types: []string{"Encounter"}}, encs("bed")},

		// Links from a whole to its parts: :below follows them, :above walks them back.
		{"parts below the panel", "DiagnosticReport", []store.Clause{below("result", members, "panel")},
			nil, reports("m1", "m2", "m3", "panel", "sub-a", "sub-b")},
		{"parts below a sub-panel", "DiagnosticReport", []store.Clause{below("result", members, "sub-a")}, nil, reports("m1", "m2", "sub-a")},
		{"below a part", "DiagnosticReport", []store.Clause{below("result", members, "m1")}, nil, reports("m1")},
		{"wholes above a shared part", "DiagnosticReport", []store.Clause{above("result", members, "m2")},
			nil, reports("m2", "panel", "sub-a", "sub-b")},
		{"a deleted whole is not above its part", "DiagnosticReport", []store.Clause{above("result", members, "m1")},
			nil, reports("m1", "panel", "sub-a")},
		{"above the whole", "DiagnosticReport", []store.Clause{above("result", members, "panel")}, nil, reports("panel")},
		{"parts below in a cycle", "DiagnosticReport", []store.Clause{below("result", members, "k1")}, nil, reports("k1", "k2")},
		{"wholes above in a cycle", "DiagnosticReport", []store.Clause{above("result", members, "k3")}, nil, reports("k1", "k2")},
		{"the whole-to-parts parameter below", "Observation", []store.Clause{below("has-member", members, "sub-a")},
			nil, observations("panel", "sub-a", "sub-b")},
		{"the whole-to-parts parameter above", "Observation", []store.Clause{above("has-member", members, "m3")},
			nil, observations("panel", "sub-b")},
		{"parts in a chain", "DiagnosticReport", []store.Clause{chain("result", "Observation", below("has-member", members, "sub-b"))},
			nil, reports("panel", "sub-a", "sub-b")},
		{"below, Observations hidden", "DiagnosticReport", []store.Clause{below("result", members, "panel")},
			&store.AccessFilter{Types: []string{"DiagnosticReport"}}, reports("panel")},
		{"above, Observations hidden", "DiagnosticReport", []store.Clause{above("result", members, "m2")},
			&store.AccessFilter{Types: []string{"DiagnosticReport"}}, reports("m2")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := store.Query{Type: tc.typ, Clauses: tc.clauses, CountTotal: true, Count: 2}
			var got []string
			for range 10 {
				p, err := s.Search(context.Background(), tc.f, q)
				if err != nil {
					t.Fatal(err)
				}
				if p.Total != len(tc.want) {
					t.Errorf("total %d, want %d", p.Total, len(tc.want))
				}
				got = append(got, ids(p.Resources)...)
				if p.NextKey == "" {
					break
				}
				q.AfterKey = p.NextKey
			}
			if !equalSorted(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// nearRadius is the Earth's mean radius in km, which the suite places its points with;
// a point 1% inside or outside a radius stays so on any sphere within 1% of it.
const nearRadius = 6371.0088

// destination is the point distance km from lat/long (degrees) along bearing (degrees
// clockwise from north), longitude in [-180, 180].
func destination(lat, long, bearing, distance float64) (float64, float64) {
	const deg = math.Pi / 180
	d := distance / nearRadius
	p1, l1, th := lat*deg, long*deg, bearing*deg
	p2 := math.Asin(math.Sin(p1)*math.Cos(d) + math.Cos(p1)*math.Sin(d)*math.Cos(th))
	l2 := l1 + math.Atan2(math.Sin(th)*math.Sin(d)*math.Cos(p1), math.Cos(d)-math.Sin(p1)*math.Sin(p2))
	long2 := math.Remainder(l2/deg, 360)
	return p2 / deg, long2
}

func testSearchNear(t *testing.T, s store.Store) {
	type point struct {
		id                           string
		lat, long, bearing, distance float64
	}
	// Three groups far apart: Leeds, either side of the ±180° meridian near Fiji, and
	// by the North Pole. Each point lies at a distance and bearing from its group's
	// centre.
	const leedsLat, leedsLong, fijiLat, fijiLong, poleLat, poleLong = 53.8, -1.55, -17.0, 179.98, 89.9, 30.0
	points := []point{
		{"leeds-n-in", leedsLat, leedsLong, 0, 9.9}, {"leeds-n-out", leedsLat, leedsLong, 0, 10.1},
		{"leeds-e-in", leedsLat, leedsLong, 90, 9.9}, {"leeds-e-out", leedsLat, leedsLong, 90, 10.1},
		{"leeds-ssw-in", leedsLat, leedsLong, 200, 9.9}, {"leeds-ssw-out", leedsLat, leedsLong, 200, 10.1},
		// Inside the latitude/longitude box around the circle, outside the circle.
		{"leeds-corner", leedsLat, leedsLong, 45, 12},
		{"fiji-e-in", fijiLat, fijiLong, 90, 29.5}, {"fiji-e-out", fijiLat, fijiLong, 90, 30.5},
		{"fiji-w-in", fijiLat, fijiLong, 270, 29.5}, {"fiji-w-out", fijiLat, fijiLong, 270, 30.5},
		{"fiji-ne-in", fijiLat, fijiLong, 60, 25},
		// Over the pole, on the opposite meridian.
		{"pole-across-in", poleLat, poleLong, 0, 33}, {"pole-s-in", poleLat, poleLong, 180, 49.5},
		{"pole-s-out", poleLat, poleLong, 180, 50.5}, {"pole-across-out", poleLat, poleLong, 0, 50.5},
	}
	for _, p := range points {
		lat, long := destination(p.lat, p.long, p.bearing, p.distance)
		put(t, s, store.Write{Resource: store.Resource{Type: "Location", ID: p.id}, Index: store.Index{
			Composites: []store.CompositeEntry{{Param: "near", Parts: []store.CompositePart{{Low: lat, High: lat}, {Low: long, High: long}}}}}})
	}
	locs := func(ids ...string) []string {
		var out []string
		for _, id := range ids {
			out = append(out, "Location/"+id)
		}
		return out
	}
	var all []string
	for _, p := range points {
		all = append(all, "Location/"+p.id)
	}
	near := func(lat, long, km float64) store.Clause {
		return clause("near", store.KindSpecial, "", store.Value{Lat: lat, Long: long, Distance: km})
	}
	cases := []struct {
		name string
		c    store.Clause
		want []string
	}{
		{"within 10 km of Leeds", near(leedsLat, leedsLong, 10), locs("leeds-e-in", "leeds-n-in", "leeds-ssw-in")},
		{"within 30 km, east of the meridian", near(fijiLat, fijiLong, 30), locs("fiji-e-in", "fiji-ne-in", "fiji-w-in")},
		{"within 30 km, from west of the meridian", near(fijiLat, -179.99, 30), locs("fiji-e-in", "fiji-e-out", "fiji-ne-in")},
		{"within 50 km of a point by the pole", near(poleLat, poleLong, 50), locs("pole-across-in", "pole-s-in")},
		{"around the pole itself", near(90, 0, 25), locs("pole-across-in")},
		{"farther than half the Earth round", near(0, 0, 25000), all},
		{"either of two circles", store.Clause{Param: "near", Kind: store.KindSpecial, Values: []store.Value{
			{Lat: leedsLat, Long: leedsLong, Distance: 10}, {Lat: poleLat, Long: poleLong, Distance: 50}}},
			locs("leeds-e-in", "leeds-n-in", "leeds-ssw-in", "pole-across-in", "pole-s-in")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Search(context.Background(), nil, store.Query{Type: "Location", Clauses: []store.Clause{tc.c}, Count: 100})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Resources); !equalSorted(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
