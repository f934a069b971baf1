package storetest

import (
	"context"
	"math"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
)

// hierarchyFixture writes a four-level Location tree (site > building > ward > bed, and
// a bed below the ward that is then deleted), a second tree (clinic > room), a cycle
// (c1 > c3 > c2 > c1) and an Encounter at each, through Location partof and Encounter
// location as the server indexes them.
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
}

func below(param, id string) store.Clause { return hierClause(param, "below", id) }
func above(param, id string) store.Clause { return hierClause(param, "above", id) }

func hierClause(param, mod string, ids ...string) store.Clause {
	c := store.Clause{Param: param, Kind: store.KindReference, Modifier: mod}
	for _, id := range ids {
		c.Values = append(c.Values, store.Value{TargetType: "Location", TargetID: id, Hierarchy: "partof"})
	}
	return c
}

func testSearchHierarchy(t *testing.T, s store.Store) {
	hierarchyFixture(t, s)
	encs := func(ids ...string) []string {
		var out []string
		for _, id := range ids {
			out = append(out, "Encounter/e-"+id)
		}
		return out
	}
	cases := []struct {
		name    string
		typ     string
		clauses []store.Clause
		f       *store.AccessFilter
		want    []string
	}{
		{"below the root", "Encounter", []store.Clause{below("location", "site")}, nil, encs("bed", "building", "site", "ward")},
		{"below the middle", "Encounter", []store.Clause{below("location", "building")}, nil, encs("bed", "building", "ward")},
		{"below a leaf", "Encounter", []store.Clause{below("location", "bed")}, nil, encs("bed")},
		{"a deleted child is no descendant", "Encounter", []store.Clause{below("location", "ward")}, nil, encs("bed", "ward")},
		{"above a leaf", "Encounter", []store.Clause{above("location", "bed")}, nil, encs("bed", "building", "site", "ward")},
		{"above the middle", "Encounter", []store.Clause{above("location", "building")}, nil, encs("building", "site")},
		{"above the root", "Encounter", []store.Clause{above("location", "site")}, nil, encs("site")},
		{"below in a cycle", "Encounter", []store.Clause{below("location", "c1")}, nil, encs("c1", "c2")},
		{"above in a cycle", "Encounter", []store.Clause{above("location", "c3")}, nil, encs("c1", "c2")},
		{"below either of two", "Encounter", []store.Clause{hierClause("location", "below", "bed", "clinic")}, nil, encs("bed", "room")},
		{"below an unknown resource", "Encounter", []store.Clause{below("location", "nowhere")}, nil, nil},
		{"with another criterion", "Encounter", []store.Clause{below("location", "site"), clause("_id", store.KindID, "", text("e-ward"))}, nil, encs("ward")},
		{"the circular parameter below", "Location", []store.Clause{below("partof", "site")},
			nil, []string{"Location/bed", "Location/building", "Location/ward"}},
		{"the circular parameter above", "Location", []store.Clause{above("partof", "ward")},
			nil, []string{"Location/bed", "Location/building", "Location/ward"}},
		{"the circular parameter in a cycle", "Location", []store.Clause{below("partof", "c2")},
			nil, []string{"Location/c1", "Location/c2", "Location/c3"}},
		{"in a chain", "Encounter", []store.Clause{chain("location", "Location", below("partof", "building"))}, nil, encs("bed", "ward")},
		// The walk passes only through resources the caller may read.
		{"below, Locations hidden", "Encounter", []store.Clause{below("location", "site")},
			&store.AccessFilter{Types: []string{"Encounter"}}, encs("site")},
		{"above, Locations hidden", "Encounter", []store.Clause{above("location", "bed")},
			&store.AccessFilter{Types: []string{"Encounter"}}, encs("bed")},
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
