package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// A record is one patient's history as the providers hold it, before it is written as
// FHIR. Every clinical item belongs to an encounter, and so to the provider that ran it.

type person struct {
	nhsNumber string
	given     []string
	family    string
	prefix    string
	sex       string
	birth     time.Time
	ethnic    *ethnicGroup
	marital   Concept
	address   []string
	locality  string
	postcode  string
	phone     string
	mobile    string
	area      *area
	practice  *org
	gp        *practitioner

	heightCm   float64
	bmi        float64
	systolic   float64 // baseline, before treatment
	allergy    *allergen
	hasChronic map[conditionEffect]bool
}

type record struct {
	uuid       string
	person     *person
	encounters []*encounter
	conditions []*condition
	allergies  []*allergyRecord
}

type encounter struct {
	uuid       string
	org        *org
	who        *practitioner
	class      Concept
	kind       Concept
	start      time.Time
	end        time.Time
	reason     *condition
	admission  Concept // inpatient only
	discharge  bool
	obs        []*observation
	procs      []*procedure
	requests   []*medRequest
	statements []*medStatement
	imms       []*immunisation
}

type condition struct {
	uuid     string
	code     Concept
	onset    time.Time
	abated   time.Time // zero while active
	problem  bool      // problem list item (long-term) rather than an encounter diagnosis
	recorded time.Time
	enc      *encounter // nil when recorded before the history starts
	org      *org
	who      *practitioner
	chronic  *chronicCondition
}

type observation struct {
	uuid  string
	vital *vitalSign
	lab   *labTest
	value float64
	// blood pressure
	systolic, diastolic float64
	at                  time.Time
}

type procedure struct {
	uuid   string
	code   Concept
	start  time.Time
	end    time.Time
	reason *condition
}

type medRequest struct {
	uuid     string
	med      medicine
	authored time.Time
	// continuous marks a repeat prescription for a long-term condition; only the latest
	// authorisation of each medicine stays active.
	continuous bool
	active     bool
	category   string // community | inpatient | discharge
	reason     *condition
}

type medStatement struct {
	uuid     string
	med      medicine
	asserted time.Time
	reason   *condition
}

type immunisation struct {
	uuid string
	vacc vaccine
	at   time.Time
}

type allergyRecord struct {
	uuid     string
	allergen *allergen
	recorded time.Time
	enc      *encounter
	org      *org
	who      *practitioner
}

// generator holds the state of one patient's generation.
type generator struct {
	r     *rand.Rand
	dir   *directory
	asOf  time.Time
	from  time.Time // start of the recorded history
	rec   *record
	p     *person
	chron []*condition
}

func ageBand(age int) int {
	switch {
	case age < 18:
		return 0
	case age < 40:
		return 1
	case age < 60:
		return 2
	case age < 75:
		return 3
	}
	return 4
}

// ageWeights are the shares of the population by ten-year band (England, 2021).
var ageWeights = []int{113, 116, 131, 133, 127, 135, 107, 83, 43, 12}

func (g *generator) pickAge() int {
	total := 0
	for _, w := range ageWeights {
		total += w
	}
	n := g.r.IntN(total)
	for band, w := range ageWeights {
		if n < w {
			return band*10 + g.r.IntN(10)
		}
		n -= w
	}
	return 50
}

func (g *generator) pickArea() *area {
	total := 0
	for i := range areas {
		total += areas[i].weight
	}
	n := g.r.IntN(total)
	for i := range areas {
		if n < areas[i].weight {
			return &areas[i]
		}
		n -= areas[i].weight
	}
	return &areas[0]
}

func (g *generator) norm(mean, sd float64) float64 { return mean + sd*g.r.NormFloat64() }

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// day returns a random time on a working day between from and to, in surgery hours.
func (g *generator) day(from, to time.Time) time.Time {
	if !to.After(from) {
		to = from.Add(24 * time.Hour)
	}
	d := from.Add(time.Duration(g.r.Int64N(int64(to.Sub(from)))))
	d = time.Date(d.Year(), d.Month(), d.Day(), 8+g.r.IntN(10), g.r.IntN(4)*15, 0, 0, time.UTC)
	switch d.Weekday() {
	case time.Saturday:
		d = d.AddDate(0, 0, 2)
	case time.Sunday:
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func (g *generator) age(at time.Time) int {
	b := g.p.birth
	a := at.Year() - b.Year()
	if at.YearDay() < b.YearDay() {
		a--
	}
	return a
}

func (g *generator) person(nhs string) *person {
	r := g.r
	p := &person{nhsNumber: nhs, hasChronic: make(map[conditionEffect]bool)}
	g.p = p
	p.sex = "female"
	if r.IntN(100) < 49 {
		p.sex = "male"
	}
	age := g.pickAge()
	p.birth = g.asOf.AddDate(-age-1, 0, 1+r.IntN(364))
	p.birth = time.Date(p.birth.Year(), p.birth.Month(), p.birth.Day(), 0, 0, 0, 0, time.UTC)
	p.ethnic = pickEthnicGroup(r)
	given, family := pickName(r, p.ethnic, p.sex)
	p.given = []string{given}
	if r.IntN(3) == 0 {
		middle, _ := pickName(r, p.ethnic, p.sex)
		if middle != given {
			p.given = append(p.given, middle)
		}
	}
	p.family = family
	age = g.age(g.asOf)
	switch {
	case age < 16:
		p.marital = maritalNever
		if p.sex == "male" {
			p.prefix = "Master"
		} else {
			p.prefix = "Miss"
		}
	default:
		switch n := r.IntN(100); {
		case age < 25 || n < 30:
			p.marital = maritalNever
		case age > 70 && n < 55:
			p.marital = maritalWidowed
		case n < 80:
			p.marital = maritalMarried
		case n < 90:
			p.marital = maritalDivorced
		default:
			p.marital = maritalPartner
		}
		p.prefix = "Mr"
		if p.sex == "female" {
			p.prefix = []string{"Mrs", "Ms", "Miss"}[r.IntN(3)]
			if p.marital == maritalNever && p.prefix == "Mrs" {
				p.prefix = "Ms"
			}
		}
	}
	a := g.pickArea()
	p.area = a
	p.locality = a.localities[r.IntN(len(a.localities))]
	p.address = []string{strconv.Itoa(1+r.IntN(180)) + " " + a.streets[r.IntN(len(a.streets))], p.locality}
	p.postcode = postcode(r, a)
	if r.IntN(3) > 0 {
		p.phone = landline(r, a)
	}
	if age >= 12 {
		p.mobile = mobile(r)
	}
	practices := g.dir.practices[a]
	p.practice = practices[r.IntN(len(practices))]
	p.gp = p.practice.gps[r.IntN(len(p.practice.gps))]

	// Adult build: height and a body mass index that drifts little over five years.
	if p.sex == "male" {
		p.heightCm = g.norm(176, 7)
	} else {
		p.heightCm = g.norm(163, 6.5)
	}
	p.bmi = clamp(g.norm(27, 4.5), 17, 45)
	p.systolic = 112 + 0.45*math.Max(0, float64(age-25)) + g.norm(0, 8)
	if r.IntN(100) < 12 {
		p.allergy = g.pickAllergen()
	}
	return p
}

func (g *generator) pickAllergen() *allergen {
	total := 0
	for i := range allergens {
		total += allergens[i].weight
	}
	n := g.r.IntN(total)
	for i := range allergens {
		if n < allergens[i].weight {
			return &allergens[i]
		}
		n -= allergens[i].weight
	}
	return &allergens[0]
}

// heightAt is the height in cm at a given age (children grow; adults keep their height).
func (g *generator) heightAt(at time.Time) float64 {
	age := float64(at.Sub(g.p.birth).Hours() / 24 / 365.25)
	if age >= 18 {
		return g.p.heightCm
	}
	// A rough growth curve reaching the adult height at 18.
	birth := 50.0
	if age < 2 {
		return birth + (87-birth)*age/2
	}
	return 87 + (g.p.heightCm-87)*(age-2)/16
}

func (g *generator) weightAt(at time.Time) float64 {
	h := g.heightAt(at) / 100
	bmi := g.p.bmi
	if age := g.age(at); age < 18 {
		bmi = 15.5 + float64(age)*0.35 + g.norm(0, 1)
	}
	return bmi * h * h * (1 + g.norm(0, 0.015))
}

func (g *generator) newEncounter(o *org, who *practitioner, class, kind Concept, start time.Time, minutes int) *encounter {
	e := &encounter{uuid: newUUID(g.r), org: o, who: who, class: class, kind: kind, start: start,
		end: start.Add(time.Duration(minutes) * time.Minute)}
	g.rec.encounters = append(g.rec.encounters, e)
	return e
}

func (g *generator) gpEncounter(at time.Time) *encounter {
	who := g.p.gp
	if g.r.IntN(4) == 0 {
		who = g.p.practice.gps[g.r.IntN(len(g.p.practice.gps))]
	}
	return g.newEncounter(g.p.practice, who, classAmbulatory, encGPSurgery, at, 10)
}

func (g *generator) addCondition(code Concept, onset time.Time, enc *encounter, problem bool) *condition {
	c := &condition{uuid: newUUID(g.r), code: code, onset: onset, problem: problem, recorded: onset, enc: enc}
	if enc != nil {
		c.org, c.who, c.recorded = enc.org, enc.who, enc.start
	} else {
		c.org, c.who = g.p.practice, g.p.gp
	}
	g.rec.conditions = append(g.rec.conditions, c)
	return c
}

// Observations.

func (g *generator) vital(e *encounter, v *vitalSign, value float64) {
	g.vitalAt(e, e.start.Add(5*time.Minute), v, value)
}

func (g *generator) vitalAt(e *encounter, at time.Time, v *vitalSign, value float64) {
	e.obs = append(e.obs, &observation{uuid: newUUID(g.r), vital: v, value: value, at: at})
}

func (g *generator) bloodPressure(e *encounter) {
	sys := g.p.systolic
	if g.p.hasChronic[effectHypertension] {
		sys += 14
		if g.onTreatment(effectHypertension, e.start) {
			sys -= 10
		}
	}
	if g.age(e.start) < 16 {
		sys = 100 + float64(g.age(e.start))
	}
	sys = clamp(sys+g.norm(0, 7), 85, 200)
	dia := clamp(0.55*sys+g.norm(8, 5), 50, 115)
	e.obs = append(e.obs, &observation{uuid: newUUID(g.r), vital: &vitalBP, systolic: math.Round(sys), diastolic: math.Round(dia), at: e.start.Add(5 * time.Minute)})
}

// onTreatment reports whether a condition with the given effect had been diagnosed
// before t (and so treated).
func (g *generator) onTreatment(eff conditionEffect, t time.Time) bool {
	for _, c := range g.chron {
		if c.chronic.effect == eff && c.onset.Before(t.AddDate(0, -3, 0)) {
			return true
		}
	}
	return false
}

func (g *generator) anthropometry(e *encounter) {
	w := g.weightAt(e.start)
	h := g.heightAt(e.start)
	g.vital(e, &vitalWeight, w)
	g.vital(e, &vitalHeight, h)
	if g.age(e.start) >= 18 {
		g.vital(e, &vitalBMI, round(w, 1)/math.Pow(round(h, 0)/100, 2))
	}
}

// obsSet is a full set of observations (as for an early warning score) at time at.
func (g *generator) obsSet(e *encounter, at time.Time, unwell bool, severe bool) {
	age := g.age(e.start)
	hr := g.norm(74, 9)
	if age < 12 {
		hr = g.norm(100-3*float64(age), 10)
	}
	rr := g.norm(15, 2)
	temp := g.norm(36.7, 0.3)
	spo2 := g.norm(97.5, 1)
	if g.p.hasChronic[effectCOPD] {
		spo2 -= 3
	}
	if unwell {
		hr += 12
		temp = g.norm(38.2, 0.5)
		rr += 3
	}
	if severe {
		hr += 15
		rr += 7
		spo2 -= 5
	}
	g.vitalAt(e, at, &vitalHeartRate, math.Round(clamp(hr, 45, 170)))
	g.vitalAt(e, at, &vitalRespRate, math.Round(clamp(rr, 10, 40)))
	g.vitalAt(e, at, &vitalTemp, clamp(temp, 35.5, 40.5))
	g.vitalAt(e, at, &vitalSpO2, math.Round(clamp(spo2, 82, 100)))
}

func (g *generator) lab(e *encounter, t *labTest, at time.Time) {
	var v float64
	switch t {
	case &labHbA1c:
		v = g.norm(37, 3)
		if g.p.hasChronic[effectDiabetes] {
			v = g.norm(55, 9)
		}
		v = clamp(v, 28, 110)
	case &labEGFR:
		v = 105 - 0.75*math.Max(0, float64(g.age(at)-30)) + g.norm(0, 8)
		if g.p.hasChronic[effectCKD] {
			v = g.norm(46, 7)
			v = clamp(v, 30, 59)
		}
		v = clamp(v, 15, 130)
	case &labCholesterol:
		v = g.norm(5.3, 0.8)
		if g.onTreatment(effectLipids, at) || g.onTreatment(effectDiabetes, at) {
			v = g.norm(4.2, 0.6)
		}
		v = clamp(v, 2.5, 9.5)
	case &labHDL:
		v = clamp(g.norm(1.4, 0.3), 0.6, 2.6)
	case &labLDL:
		v = g.norm(3.2, 0.7)
		if g.onTreatment(effectLipids, at) {
			v = g.norm(2.3, 0.5)
		}
		v = clamp(v, 0.8, 6.5)
	case &labPotassium:
		v = g.norm(4.3, 0.35)
		if g.p.hasChronic[effectCKD] {
			v += 0.4
		}
		v = clamp(v, 3.0, 6.2)
	case &labAlbumin:
		v = clamp(g.norm(40, 3.5), 25, 52)
	}
	if at.After(g.asOf) {
		return // not yet reported
	}
	e.obs = append(e.obs, &observation{uuid: newUUID(g.r), lab: t, value: v, at: at})
}

func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}

func (g *generator) proc(e *encounter, code Concept, reason *condition, minutes int) {
	start := e.start.Add(10 * time.Minute)
	e.procs = append(e.procs, &procedure{uuid: newUUID(g.r), code: code, start: start,
		end: start.Add(time.Duration(minutes) * time.Minute), reason: reason})
}

// prescribed reports whether the encounter already prescribes the medicine (two
// conditions can call for the same one).
func (e *encounter) prescribed(m medicine) bool {
	return slices.ContainsFunc(e.requests, func(r *medRequest) bool { return r.med.product == m.product })
}

func (g *generator) prescribe(e *encounter, m medicine, reason *condition, category string, continuous bool) {
	e.requests = append(e.requests, &medRequest{uuid: newUUID(g.r), med: m, authored: e.start.Add(8 * time.Minute),
		continuous: continuous, category: category, reason: reason})
}

// authorisations marks the latest repeat prescription of each medicine active; earlier
// ones were superseded at the next review.
func (g *generator) authorisations() {
	latest := make(map[string]*medRequest)
	for _, e := range g.rec.encounters {
		for _, m := range e.requests {
			if m.continuous {
				latest[m.med.product.Code] = m
			}
		}
	}
	for _, m := range latest {
		m.active = true
	}
}

// allergicTo reports whether the patient's allergy rules out a medicine.
func (g *generator) allergicTo(m medicine) bool {
	a := g.p.allergy
	if a == nil || a.category != "medication" {
		return false
	}
	return m.product == medAmoxicillin.product
}

// generate builds the record of one patient.
func (g *generator) generate(nhs string, years int) *record {
	g.rec = &record{}
	p := g.person(nhs)
	g.rec.person = p
	g.rec.uuid = newUUID(g.r)
	g.from = g.asOf.AddDate(-years, 0, 0)
	if p.birth.After(g.from) {
		g.from = p.birth
	}

	g.chronicConditions()
	g.registration()
	g.allergy()
	for y := g.from; y.Before(g.asOf); y = y.AddDate(1, 0, 0) {
		end := y.AddDate(1, 0, 0)
		if end.After(g.asOf) {
			end = g.asOf
		}
		g.year(y, end)
	}
	g.immunisations()
	slices.SortStableFunc(g.rec.encounters, func(a, b *encounter) int { return a.start.Compare(b.start) })
	g.authorisations()
	return g.rec
}

func (g *generator) chronicConditions() {
	age := g.age(g.asOf)
	for i := range chronicConditions {
		cc := &chronicConditions[i]
		if age < cc.onsetMin {
			continue
		}
		prev := cc.prevalence[ageBand(age)]
		switch cc.effect {
		case effectDiabetes:
			prev *= g.p.ethnic.diabetesRisk
		case effectCKD:
			if g.p.hasChronic[effectHypertension] || g.p.hasChronic[effectDiabetes] {
				prev *= 1.8
			}
		}
		switch cc.concept.Code {
		case "414545008": // ischaemic heart disease: commoner in men
			if g.p.sex == "male" {
				prev *= 1.5
			} else {
				prev *= 0.6
			}
		case "40930008": // hypothyroidism: commoner in women
			if g.p.sex == "female" {
				prev *= 1.7
			} else {
				prev *= 0.3
			}
		}
		if g.r.Float64() >= prev {
			continue
		}
		// Onset: any age from onsetMin, weighted towards recent years.
		span := float64(age - cc.onsetMin)
		onsetAge := float64(age) - span*math.Pow(g.r.Float64(), 1.6)
		onset := g.p.birth.AddDate(int(onsetAge), 0, g.r.IntN(365))
		if onset.After(g.asOf.AddDate(0, -1, 0)) {
			onset = g.asOf.AddDate(0, -1-g.r.IntN(6), 0)
		}
		var enc *encounter
		if onset.After(g.from) {
			onset = g.day(onset, onset.AddDate(0, 0, 7))
			enc = g.gpEncounter(onset)
			if cc.effect == effectHypertension {
				g.bloodPressure(enc)
			}
		}
		c := g.addCondition(cc.concept, onset, enc, true)
		c.chronic = cc
		if enc != nil {
			enc.reason = c
		}
		g.chron = append(g.chron, c)
		g.p.hasChronic[cc.effect] = true
	}
}

// registration is the new-patient check at the practice, if the history starts with one.
func (g *generator) registration() {
	if g.age(g.asOf) < 1 {
		return
	}
	e := g.gpEncounter(g.day(g.from, g.from.AddDate(0, 2, 0)))
	e.who = g.p.practice.nurses[0]
	g.bloodPressureIfAdult(e)
	g.anthropometry(e)
}

func (g *generator) bloodPressureIfAdult(e *encounter) {
	if g.age(e.start) >= 16 {
		g.bloodPressure(e)
	}
}

func (g *generator) allergy() {
	a := g.p.allergy
	if a == nil {
		return
	}
	at := g.day(g.from, g.from.AddDate(1, 0, 0))
	if at.After(g.asOf) {
		at = g.asOf.AddDate(0, 0, -1)
	}
	e := g.gpEncounter(at)
	g.rec.allergies = append(g.rec.allergies, &allergyRecord{uuid: newUUID(g.r), allergen: a, recorded: e.start, enc: e, org: e.org, who: e.who})
}

// year adds one year of care.
func (g *generator) year(from, to time.Time) {
	age := g.age(from)
	var active []*condition
	for _, c := range g.chron {
		if c.onset.Before(to) {
			active = append(active, c)
		}
	}
	if len(active) > 0 {
		g.annualReview(g.day(from, to), active)
	}
	acuteRate := 0.8
	if age < 5 || age >= 75 {
		acuteRate = 1.3
	}
	for range poisson(g.r, acuteRate) {
		g.acuteIllness(g.day(from, to))
	}
	for _, c := range active {
		if c.chronic.clinic.Code != "" && g.r.Float64() < 0.2 {
			g.clinic(g.day(from, to), c)
		}
	}
	emergencyRate := 0.1
	if age >= 75 {
		emergencyRate = 0.3
	}
	for range poisson(g.r, emergencyRate) {
		g.emergency(g.day(from, to))
	}
	for _, c := range active {
		switch {
		case c.chronic.concept.Code == "396275006" && age >= 55 && g.r.Float64() < 0.05:
			g.elective(g.day(from, to), c, []Concept{procHipReplacement, procKneeReplace}[g.r.IntN(2)], clinicOrthopaed, 3)
		case c.chronic.concept.Code == "414545008" && g.r.Float64() < 0.04:
			g.elective(g.day(from, to), c, procPCI, clinicCardiac, 1)
		}
	}
	if age >= 75 && len(active) > 0 {
		for range poisson(g.r, 1.5) {
			g.homeVisit(g.day(from, to), active[g.r.IntN(len(active))], false)
		}
	}
}

func poisson(r *rand.Rand, mean float64) int {
	l := math.Exp(-mean)
	k, p := 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func (g *generator) annualReview(at time.Time, active []*condition) {
	e := g.gpEncounter(at)
	e.reason = active[0]
	if g.r.IntN(3) == 0 {
		e.who = g.p.practice.nurses[0]
	}
	g.bloodPressure(e)
	g.vital(e, &vitalHeartRate, math.Round(clamp(g.norm(74, 9), 45, 130)))
	g.anthropometry(e)
	var labs []*labTest
	medicated := false
	for _, c := range active {
		for _, t := range c.chronic.labs {
			if !slices.Contains(labs, t) {
				labs = append(labs, t)
			}
		}
		for _, m := range c.chronic.meds {
			if !e.prescribed(m) {
				g.prescribe(e, m, c, "community", true)
			}
			medicated = true
		}
		if c.chronic.concept.Code == "35489007" {
			g.proc(e, procDepressionScr, c, 10)
		}
	}
	// Bloods are taken at the practice and reported by the trust's laboratory.
	for _, t := range labs {
		g.lab(e, t, e.start.Add(26*time.Hour))
	}
	if medicated {
		g.proc(e, procMedReview, active[0], 10)
	}
}

func (g *generator) acuteIllness(at time.Time) {
	age := g.age(at)
	total := 0
	possible := func(a *acuteIllness) bool { return age >= a.minAge && age <= a.maxAge && !at.Before(a.from) }
	for i := range acuteIllnesses {
		if a := &acuteIllnesses[i]; possible(a) {
			total += a.weight
		}
	}
	if total == 0 {
		return
	}
	n := g.r.IntN(total)
	var ill *acuteIllness
	for i := range acuteIllnesses {
		a := &acuteIllnesses[i]
		if !possible(a) {
			continue
		}
		if n < a.weight {
			ill = a
			break
		}
		n -= a.weight
	}
	e := g.gpEncounter(at)
	c := g.addCondition(ill.concept, at.AddDate(0, 0, -1-g.r.IntN(5)), e, false)
	c.abated = at.AddDate(0, 0, 5+g.r.IntN(14))
	if c.abated.After(g.asOf) {
		c.abated = time.Time{}
	}
	e.reason = c
	g.vital(e, &vitalTemp, clamp(g.norm(36.8, 0.3)+boolF(ill.fever)*1.4, 35.5, 40))
	g.vital(e, &vitalHeartRate, math.Round(clamp(g.norm(78, 9)+boolF(ill.fever)*12, 45, 160)))
	if ill.test.Code != "" {
		g.proc(e, ill.test, c, 5)
	}
	if len(ill.meds) > 0 && g.r.IntN(10) < 7 {
		m := ill.meds[g.r.IntN(len(ill.meds))]
		if g.allergicTo(m) {
			m = medClarithro
		}
		g.prescribe(e, m, c, "community", false)
	}
}

func boolF(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (g *generator) consultant() *practitioner {
	t := g.dir.acute[g.p.area]
	return t.gps[g.r.IntN(len(t.gps))]
}

func (g *generator) clinic(at time.Time, c *condition) {
	e := g.newEncounter(g.dir.acute[g.p.area], g.consultant(), classAmbulatory, c.chronic.clinic, at, 20)
	e.reason = c
	g.bloodPressure(e)
	g.vital(e, &vitalHeartRate, math.Round(clamp(g.norm(74, 9), 45, 130)))
	g.vital(e, &vitalWeight, g.weightAt(at))
	for _, t := range c.chronic.labs {
		g.lab(e, t, at.Add(3*time.Hour))
	}
	if c.chronic.concept.Code == "414545008" {
		g.proc(e, procECG, c, 10)
	}
}

// emergency is an attendance at the trust's emergency department, sometimes followed by
// an admission.
func (g *generator) emergency(at time.Time) {
	age := g.age(at)
	at = at.Add(time.Duration(g.r.IntN(12)) * time.Hour)
	if latest := g.asOf.Add(-10 * time.Hour); at.After(latest) {
		at = latest // the attendance and any admission start before the reference date
	}
	trust := g.dir.acute[g.p.area]
	ed := g.newEncounter(trust, g.consultant(), classEmergency, encCasualty, at, 180+g.r.IntN(180))
	choices := []Concept{}
	if age >= 35 {
		choices = append(choices, condChestPain)
	}
	if age >= 8 && age <= 80 {
		choices = append(choices, condAnkleSprain)
	}
	if age >= 60 || g.p.hasChronic[effectCOPD] {
		choices = append(choices, condPneumonia)
	}
	if age >= 70 {
		choices = append(choices, condFemurFx)
	}
	if age >= 8 && age <= 45 {
		choices = append(choices, condAppendicitis)
	}
	if len(choices) == 0 {
		choices = append(choices, condPneumonia)
	}
	code := choices[g.r.IntN(len(choices))]
	c := g.addCondition(code, at.Add(-6*time.Hour), ed, false)
	ed.reason = c
	g.obsSet(ed, ed.start.Add(10*time.Minute), code != condAnkleSprain && code != condChestPain, code == condPneumonia)
	g.bloodPressure(ed)
	switch code {
	case condChestPain:
		g.proc(ed, procECG, c, 10)
		c.abated = at.Add(12 * time.Hour)
		return
	case condAnkleSprain:
		c.abated = at.AddDate(0, 0, 21)
		return
	}
	// Admitted.
	days := map[Concept]int{condPneumonia: 3 + g.r.IntN(6), condFemurFx: 5 + g.r.IntN(10), condAppendicitis: 1 + g.r.IntN(3)}[code]
	ward := g.newEncounter(trust, ed.who, classInpatient, encWard, ed.end, days*24*60)
	ward.reason = c
	ward.admission = admitEmergency
	ward.discharge = true
	c.abated = ward.end.AddDate(0, 0, 14)
	if c.abated.After(g.asOf) {
		c.abated = time.Time{}
	}
	g.inpatientCare(ward, c)
	switch code {
	case condPneumonia:
		g.proc(ward, procChestXray, c, 15)
		for _, m := range []medicine{medAmoxicillin, medClarithro} {
			if g.allergicTo(m) {
				m = medDoxycycline
			}
			g.prescribe(ward, m, c, "inpatient", false)
		}
	case condFemurFx:
		g.proc(ward, procHipReplacement, c, 120)
		g.prescribe(ward, medParacetamol, c, "discharge", false)
		g.homeVisit(ward.end.AddDate(0, 0, 3+g.r.IntN(5)), c, true)
	case condAppendicitis:
		g.proc(ward, procAppendicectomy, c, 60)
		g.prescribe(ward, medParacetamol, c, "discharge", false)
	}
}

// inpatientCare adds what every admission records: observations on admission and before
// discharge, admission bloods, and the medicines the patient takes, as a statement.
func (g *generator) inpatientCare(ward *encounter, reason *condition) {
	// Observations before discharge: the admission set is taken in the emergency
	// department or at the pre-operative assessment.
	at := ward.end.Add(-2 * time.Hour)
	if at.After(g.asOf) { // still in hospital
		at = ward.start.Add(30 * time.Minute)
	}
	g.obsSet(ward, at, false, false)
	g.lab(ward, &labAlbumin, ward.start.Add(4*time.Hour))
	g.lab(ward, &labPotassium, ward.start.Add(4*time.Hour))
	g.lab(ward, &labEGFR, ward.start.Add(4*time.Hour))
	for _, c := range g.chron {
		if c.onset.After(ward.start) {
			continue
		}
		for _, m := range c.chronic.meds {
			if slices.ContainsFunc(ward.statements, func(s *medStatement) bool { return s.med.product == m.product }) {
				continue
			}
			ward.statements = append(ward.statements, &medStatement{uuid: newUUID(g.r), med: m, asserted: ward.start.Add(2 * time.Hour), reason: c})
		}
	}
}

func (g *generator) elective(at time.Time, c *condition, proc, clinic Concept, days int) {
	trust := g.dir.acute[g.p.area]
	who := g.consultant()
	if seen := at.AddDate(0, -3, 0); seen.After(g.from) {
		op := g.newEncounter(trust, who, classAmbulatory, clinic, seen, 20)
		op.reason = c
		g.bloodPressure(op)
	}
	ward := g.newEncounter(trust, who, classInpatient, encWard, at, days*24*60)
	ward.reason = c
	ward.admission = admitElective
	ward.discharge = true
	g.inpatientCare(ward, c)
	g.proc(ward, proc, c, 90)
	if proc == procHipReplacement || proc == procKneeReplace {
		g.prescribe(ward, medParacetamol, c, "discharge", false)
		g.homeVisit(ward.end.AddDate(0, 0, 2+g.r.IntN(5)), c, true)
	}
}

func (g *generator) homeVisit(at time.Time, c *condition, wound bool) {
	if at.After(g.asOf) {
		return
	}
	comm := g.dir.community[g.p.area]
	e := g.newEncounter(comm, comm.nurses[g.r.IntN(len(comm.nurses))], classHome, encOwnHome, at, 30)
	e.reason = c
	g.bloodPressure(e)
	g.vital(e, &vitalHeartRate, math.Round(clamp(g.norm(76, 9), 45, 130)))
	g.vital(e, &vitalSpO2, math.Round(clamp(g.norm(96.5, 1.2), 85, 100)))
	g.vital(e, &vitalTemp, clamp(g.norm(36.6, 0.3), 35.5, 38))
	if wound {
		g.proc(e, procDressing, c, 20)
	}
}

// immunisations follows the national programme: seasonal influenza each autumn for those
// 65 and over or in a clinical risk group, pneumococcal at 65, and the first two COVID-19
// doses in early 2021 for adults.
func (g *generator) immunisations() {
	risk := g.p.hasChronic[effectCOPD] || g.p.hasChronic[effectDiabetes] || g.p.hasChronic[effectCKD]
	for _, c := range g.chron {
		if c.code.Code == "195967001" || c.code.Code == "414545008" {
			risk = true
		}
	}
	for y := g.from.Year(); y <= g.asOf.Year(); y++ {
		at := g.day(time.Date(y, 9, 20, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 10, 0, 0, 0, 0, time.UTC))
		if at.Before(g.from) || at.After(g.asOf) || g.age(at) < 18 {
			continue
		}
		if (g.age(at) >= 65 || risk) && g.r.IntN(100) < 75 {
			g.vaccinate(at, vaccFlu)
		}
	}
	at65 := g.p.birth.AddDate(65, 1, 0)
	if at65.After(g.from) && at65.Before(g.asOf) {
		g.vaccinate(g.day(at65, at65.AddDate(0, 2, 0)), vaccPneumo)
	}
	first := g.day(time.Date(2021, 1, 11, 0, 0, 0, 0, time.UTC), time.Date(2021, 4, 30, 0, 0, 0, 0, time.UTC))
	if first.After(g.from) && first.Before(g.asOf) && g.age(first) >= 18 && g.r.IntN(100) < 85 {
		g.vaccinate(first, vaccCovid1)
		second := first.AddDate(0, 0, 56+g.r.IntN(28))
		if second.Before(g.asOf) {
			g.vaccinate(second, vaccCovid2)
		}
	}
}

func (g *generator) vaccinate(at time.Time, v vaccine) {
	e := g.gpEncounter(at)
	e.who = g.p.practice.nurses[0]
	e.imms = append(e.imms, &immunisation{uuid: newUUID(g.r), vacc: v, at: at.Add(5 * time.Minute)})
}
