package synth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/joinedup/joinedup/fhir"
)

// DefaultAsOf is the reference date of the data when Options.AsOf is zero: the day the
// records were extracted. Generation never reads the clock, so output depends only on
// the options.
var DefaultAsOf = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultYears is how many years of history each record covers when Options.Years is 0.
const DefaultYears = 10

// Options select a population.
type Options struct {
	Patients int    // how many patients
	First    int    // index of the first patient; lets a population be made in parts
	Seed     uint64 // the same seed gives the same population, byte for byte
	AsOf     time.Time
	Years    int
	// Workers bounds parallel generation; 0 means GOMAXPROCS.
	Workers int
}

// PatientBundle is one patient's transaction bundle.
type PatientBundle struct {
	Index     int    // population index
	ID        string // a file-name-safe identifier: "patient-000042"
	NHSNumber string
	Resources int    // entries in the bundle
	JSON      []byte // the Bundle as compact JSON
}

func (o Options) withDefaults() (Options, error) {
	if o.Patients < 0 || o.First < 0 || o.First+o.Patients > maxPatients {
		return o, fmt.Errorf("synth: patients %d..%d outside 0..%d", o.First, o.First+o.Patients, maxPatients)
	}
	if o.AsOf.IsZero() {
		o.AsOf = DefaultAsOf
	}
	o.AsOf = time.Date(o.AsOf.Year(), o.AsOf.Month(), o.AsOf.Day(), 0, 0, 0, 0, time.UTC)
	if o.Years == 0 {
		o.Years = DefaultYears
	}
	if o.Years < 0 || o.Years > 100 {
		return o, fmt.Errorf("synth: years %d outside 1..100", o.Years)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o, nil
}

// Generate makes the population and calls fn with each patient's bundle in index order.
// Patients are generated in parallel; fn is called from one goroutine at a time. It stops
// at the first error from fn or the context.
func Generate(ctx context.Context, opts Options, fn func(PatientBundle) error) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	batch := opts.Workers * 8
	results := make([]PatientBundle, batch)
	for start := opts.First; start < opts.First+opts.Patients; start += batch {
		n := min(batch, opts.First+opts.Patients-start)
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(opts.Workers)
		for i := range n {
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				b, err := patientBundle(opts, start+i)
				results[i] = b
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for i := range n {
			if err := fn(results[i]); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// Patient returns the bundle of patient index i of the population opts describes
// (opts.Patients and opts.First are ignored).
func Patient(opts Options, i int) (PatientBundle, error) {
	opts.Patients, opts.First = 0, 0
	opts, err := opts.withDefaults()
	if err != nil {
		return PatientBundle{}, err
	}
	if i < 0 || i >= maxPatients {
		return PatientBundle{}, fmt.Errorf("synth: patient index %d outside 0..%d", i, maxPatients-1)
	}
	return patientBundle(opts, i)
}

func patientBundle(opts Options, i int) (PatientBundle, error) {
	r := rand.New(rand.NewPCG(mix64(opts.Seed), mix64(uint64(i)^0x5eed5eed5eed5eed)))
	g := &generator{r: r, dir: theDirectory(), asOf: opts.AsOf}
	rec := g.generate(newNHSNumberer(opts.Seed).number(i), opts.Years)
	b := rec.bundle(g)
	data, err := fhir.MarshalResource(b)
	if err != nil {
		return PatientBundle{}, fmt.Errorf("synth: patient %d: %w", i, err)
	}
	return PatientBundle{
		Index:     i,
		ID:        fmt.Sprintf("patient-%06d", i),
		NHSNumber: rec.person.nhsNumber,
		Resources: len(b.Entry),
		JSON:      data,
	}, nil
}

// bundleBuilder collects transaction entries and which provider wrote each one.
type bundleBuilder struct {
	entries []*fhir.BundleEntry
	byOrg   map[*org][]string
	orgs    []*org // providers in order of first appearance
}

func (b *bundleBuilder) post(uuid string, r fhir.Resource, ifNoneExist string) {
	req := &fhir.BundleEntryRequest{Method: code("POST"), URL: fhir.NewURI(r.ResourceType())}
	if ifNoneExist != "" {
		req.IfNoneExist = str(ifNoneExist)
	}
	b.entries = append(b.entries, &fhir.BundleEntry{FullURL: fhir.NewURI("urn:uuid:" + uuid), Resource: r, Request: req})
}

// clinical adds a resource written by provider o.
func (b *bundleBuilder) clinical(o *org, uuid string, r fhir.Resource) {
	if _, seen := b.byOrg[o]; !seen {
		b.orgs = append(b.orgs, o)
	}
	b.byOrg[o] = append(b.byOrg[o], uuid)
	b.post(uuid, r, "")
}

func (rec *record) bundle(g *generator) *fhir.Bundle {
	b := &bundleBuilder{byOrg: make(map[*org][]string)}
	p := rec.person

	// The directory entries this record refers to, created only if not already there.
	var orgs []*org
	var staff []*practitioner
	addOrg := func(o *org) {
		if !slices.Contains(orgs, o) {
			orgs = append(orgs, o)
		}
	}
	addStaff := func(s *practitioner) {
		if !slices.Contains(staff, s) {
			staff = append(staff, s)
		}
	}
	addOrg(p.practice)
	addStaff(p.gp)
	for _, e := range rec.encounters {
		addOrg(e.org)
		addStaff(e.who)
		for _, o := range e.obs {
			if o.lab != nil && e.org.kind != orgAcute {
				addOrg(g.dir.acute[e.org.area])
			}
		}
	}
	for _, c := range rec.conditions {
		addStaff(c.who)
	}
	for _, o := range orgs {
		b.post(o.uuid, o.resource(), "identifier="+sysODS+"|"+o.ods)
	}
	for _, s := range staff {
		b.post(s.uuid, s.resource(), "identifier="+sysSDSUser+"|"+s.sdsUserID)
	}

	pt := rec.patient()
	b.byOrg[p.practice] = []string{rec.uuid}
	b.orgs = append(b.orgs, p.practice)
	b.post(rec.uuid, pt, "identifier="+sysNHSNumber+"|"+p.nhsNumber)

	for _, c := range rec.conditions {
		b.clinical(c.org, c.uuid, rec.condition(c))
	}
	for _, a := range rec.allergies {
		b.clinical(a.org, a.uuid, rec.allergy(a))
	}
	for _, e := range rec.encounters {
		b.clinical(e.org, e.uuid, rec.encounter(e, g.asOf))
		for _, o := range e.obs {
			res := rec.observation(e, o)
			src := e.org
			if o.lab != nil && src.kind != orgAcute {
				src = g.dir.acute[src.area]
			}
			b.clinical(src, o.uuid, res)
		}
		for _, pr := range e.procs {
			b.clinical(e.org, pr.uuid, rec.procedure(e, pr))
		}
		for _, m := range e.requests {
			b.clinical(e.org, m.uuid, rec.medicationRequest(e, m))
		}
		for _, s := range e.statements {
			b.clinical(e.org, s.uuid, rec.medicationStatement(e, s))
		}
		for _, im := range e.imms {
			lot := string(rune('A'+g.r.IntN(26))) + string(rune('A'+g.r.IntN(26))) + digits(g.r, 4, false)
			b.clinical(e.org, im.uuid, rec.immunization(e, im, lot))
		}
	}
	// One Provenance per provider: who wrote which part of this record.
	for _, o := range b.orgs {
		u := newUUID(g.r)
		b.post(u, provenance(o, b.byOrg[o], g.asOf), "")
	}
	return &fhir.Bundle{Type: code("transaction"), Entry: b.entries}
}

// DirectoryBundle is a transaction bundle of every organisation and practitioner the
// generator uses, each created only if absent. Loading it first is
// optional: every patient bundle carries the entries it needs.
func DirectoryBundle() ([]byte, error) {
	d := theDirectory()
	b := &bundleBuilder{byOrg: make(map[*org][]string)}
	for _, o := range d.all {
		b.post(o.uuid, o.resource(), "identifier="+sysODS+"|"+o.ods)
	}
	for _, o := range d.all {
		for _, s := range slices.Concat(o.gps, o.nurses) {
			b.post(s.uuid, s.resource(), "identifier="+sysSDSUser+"|"+s.sdsUserID)
		}
	}
	data, err := fhir.MarshalResource(&fhir.Bundle{Type: code("transaction"), Entry: b.entries})
	if err != nil {
		return nil, fmt.Errorf("synth: directory: %w", err)
	}
	return data, nil
}
