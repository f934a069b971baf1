package synth

import (
	"strconv"
	"time"

	"github.com/joinedup/joinedup/fhir"
)

// This file writes a record as FHIR resources of the generated model, each claiming its
// UK Core profile.

const (
	ukCoreProfile = "https://fhir.hl7.org.uk/StructureDefinition/"
	ukCoreExt     = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-"
	// odsSource identifies the system a resource came from by its organisation's record
	// in the NHS Organisation Data Service.
	odsSource = "https://directory.spineservices.nhs.uk/ORD/2-0-0/organisations/"
)

func str(s string) *fhir.String { return fhir.NewString(s) }

func code(s string) *fhir.Code { return fhir.NewCode(s) }

func coding(c Concept) *fhir.Coding {
	return &fhir.Coding{System: fhir.NewURI(c.System), Code: code(c.Code), Display: str(c.Display)}
}

func concept(cs ...Concept) *fhir.CodeableConcept {
	cc := &fhir.CodeableConcept{}
	for _, c := range cs {
		cc.Coding = append(cc.Coding, coding(c))
	}
	return cc
}

func conceptText(text string, cs ...Concept) *fhir.CodeableConcept {
	cc := concept(cs...)
	cc.Text = str(text)
	return cc
}

func ref(uuid, display string) *fhir.Reference {
	r := &fhir.Reference{Reference: str("urn:uuid:" + uuid)}
	if display != "" {
		r.Display = str(display)
	}
	return r
}

func dateTime(t time.Time) *fhir.DateTime { return fhir.NewDateTime(t.UTC().Format(time.RFC3339)) }

func instant(t time.Time) *fhir.Instant { return fhir.NewInstant(t.UTC().Format(time.RFC3339)) }

func date(t time.Time) *fhir.Date { return fhir.NewDate(t.Format(time.DateOnly)) }

func decimal(v float64, decimals int) *fhir.Decimal {
	return fhir.NewDecimal(strconv.FormatFloat(round(v, decimals), 'f', decimals, 64))
}

func ucum(v float64, decimals int, unit, c string) *fhir.Quantity {
	return &fhir.Quantity{Value: decimal(v, decimals), Unit: str(unit), System: fhir.NewURI(sysUCUM), Code: code(c)}
}

func meta(profile string, source *org) *fhir.Meta {
	m := &fhir.Meta{Profile: []*fhir.Canonical{fhir.NewCanonical(ukCoreProfile + profile)}}
	if source != nil {
		m.Source = fhir.NewURI(odsSource + source.ods)
	}
	return m
}

func identifier(system, value string) *fhir.Identifier {
	return &fhir.Identifier{System: fhir.NewURI(system), Value: str(value)}
}

func extCC(name string, cc *fhir.CodeableConcept) *fhir.Extension {
	return &fhir.Extension{URL: ukCoreExt + name, ValueCodeableConcept: cc}
}

var orgTypeProvider = Concept{"http://terminology.hl7.org/CodeSystem/organization-type", "prov", "Healthcare Provider"}

func (o *org) resource() *fhir.Organization {
	id := identifier(sysODS, o.ods)
	id.Use = code("official")
	return &fhir.Organization{
		Meta:       meta("UKCore-Organization", nil),
		Identifier: []*fhir.Identifier{id},
		Active:     fhir.NewBoolean(true),
		Type:       []*fhir.CodeableConcept{concept(orgTypeProvider)},
		Name:       str(o.name),
		Telecom:    []*fhir.ContactPoint{{System: code("phone"), Value: str(o.phone), Use: code("work")}},
		Address: []*fhir.Address{{
			Use: code("work"), Type: code("both"),
			Line: strs(o.lines...), City: str(o.area.city), District: str(o.area.county),
			PostalCode: str(o.postcode), Country: str("ENGLAND"),
		}},
	}
}

func strs(ss ...string) []*fhir.String {
	out := make([]*fhir.String, len(ss))
	for i, s := range ss {
		out[i] = str(s)
	}
	return out
}

func (p *practitioner) prefix() string {
	if p.role == roleNurse {
		return ""
	}
	return "Dr"
}

func (p *practitioner) display() string {
	name := p.given + " " + upper(p.family)
	if pre := p.prefix(); pre != "" {
		name = pre + " " + name
	}
	return name
}

func (p *practitioner) resource() *fhir.Practitioner {
	ids := []*fhir.Identifier{identifier(sysSDSUser, p.sdsUserID)}
	if p.gmc != "" {
		ids = append(ids, identifier(sysGMC, p.gmc))
	}
	if p.gmp != "" {
		ids = append(ids, identifier(sysGMP, p.gmp))
	}
	if p.nmc != "" {
		ids = append(ids, identifier(sysNMC, p.nmc))
	}
	name := &fhir.HumanName{Use: code("official"), Family: str(p.family), Given: strs(p.given)}
	if pre := p.prefix(); pre != "" {
		name.Prefix = strs(pre)
	}
	return &fhir.Practitioner{
		Meta:       meta("UKCore-Practitioner", nil),
		Identifier: ids,
		Active:     fhir.NewBoolean(true),
		Name:       []*fhir.HumanName{name},
		Telecom:    []*fhir.ContactPoint{{System: code("phone"), Value: str(p.organisation.phone), Use: code("work")}},
		Gender:     code(p.sex),
	}
}

func (rec *record) patient() *fhir.Patient {
	p := rec.person
	nhs := identifier(sysNHSNumber, p.nhsNumber)
	nhs.Extension = []*fhir.Extension{extCC("NHSNumberVerificationStatus", concept(nhsNumberTraced))}
	name := &fhir.HumanName{Use: code("official"), Family: str(p.family), Given: strs(p.given...), Prefix: strs(p.prefix)}
	var telecom []*fhir.ContactPoint
	if p.phone != "" {
		telecom = append(telecom, &fhir.ContactPoint{System: code("phone"), Value: str(p.phone), Use: code("home")})
	}
	if p.mobile != "" {
		telecom = append(telecom, &fhir.ContactPoint{System: code("phone"), Value: str(p.mobile), Use: code("mobile")})
	}
	pt := &fhir.Patient{
		Meta:       meta("UKCore-Patient", p.practice),
		Extension:  []*fhir.Extension{extCC("EthnicCategory", concept(p.ethnic.concept))},
		Identifier: []*fhir.Identifier{nhs},
		Active:     fhir.NewBoolean(true),
		Name:       []*fhir.HumanName{name},
		Telecom:    telecom,
		Gender:     code(p.sex),
		BirthDate:  date(p.birth),
		Address: []*fhir.Address{{
			Use: code("home"), Type: code("both"),
			Line: strs(p.address...), City: str(p.area.city), District: str(p.area.county),
			PostalCode: str(p.postcode),
		}},
		MaritalStatus: concept(p.marital),
		GeneralPractitioner: []*fhir.Reference{
			ref(p.practice.uuid, p.practice.name),
			ref(p.gp.uuid, p.gp.display()),
		},
		ManagingOrganization: ref(p.practice.uuid, p.practice.name),
	}
	return pt
}

// subject is the reference every clinical resource makes to the patient.
func (rec *record) subject() *fhir.Reference {
	p := rec.person
	return ref(rec.uuid, upper(p.family)+", "+p.given[0]+" ("+p.prefix+")")
}

var participantTypes = map[staffRole]Concept{
	roleGP:         {"http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer"},
	roleConsultant: {"http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ATND", "attender"},
	roleNurse:      {"http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer"},
}

func (rec *record) encounter(e *encounter, asOf time.Time) *fhir.Encounter {
	enc := &fhir.Encounter{
		Meta:    meta("UKCore-Encounter", e.org),
		Status:  code("finished"),
		Class:   coding(e.class),
		Type:    []*fhir.CodeableConcept{concept(e.kind)},
		Subject: rec.subject(),
		Participant: []*fhir.EncounterParticipant{{
			Type:       []*fhir.CodeableConcept{concept(participantTypes[e.who.role])},
			Individual: ref(e.who.uuid, e.who.display()),
		}},
		Period:          &fhir.Period{Start: dateTime(e.start), End: dateTime(e.end)},
		ServiceProvider: ref(e.org.uuid, e.org.name),
	}
	if e.end.After(asOf) { // still in hospital on the reference date
		enc.Status = code("in-progress")
		enc.Period.End = nil
	}
	if e.reason != nil {
		enc.ReasonReference = []*fhir.Reference{ref(e.reason.uuid, e.reason.code.Display)}
	}
	if e.admission.Code != "" {
		enc.Hospitalization = &fhir.EncounterHospitalization{
			Extension: []*fhir.Extension{extCC("AdmissionMethod", concept(e.admission))},
		}
		if e.discharge && enc.Period.End != nil {
			enc.Extension = []*fhir.Extension{extCC("DischargeMethod", concept(dischargeClinical))}
			enc.Hospitalization.DischargeDisposition = concept(dischargeHome)
		}
	}
	return enc
}

func (rec *record) condition(c *condition) *fhir.Condition {
	status := Concept{"http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"}
	if !c.abated.IsZero() {
		status = Concept{"http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved", "Resolved"}
	}
	category := Concept{"http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis"}
	if c.problem {
		category = Concept{"http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item"}
	}
	cond := &fhir.Condition{
		Meta:               meta("UKCore-Condition", c.org),
		ClinicalStatus:     concept(status),
		VerificationStatus: concept(Concept{"http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"}),
		Category:           []*fhir.CodeableConcept{concept(category)},
		Code:               concept(c.code),
		Subject:            rec.subject(),
		OnsetDateTime:      dateTime(c.onset),
		RecordedDate:       dateTime(c.recorded),
		Recorder:           ref(c.who.uuid, c.who.display()),
		Asserter:           ref(c.who.uuid, c.who.display()),
	}
	if c.enc != nil {
		cond.Encounter = ref(c.enc.uuid, "")
	}
	if !c.abated.IsZero() {
		cond.AbatementDateTime = dateTime(c.abated)
	}
	return cond
}

var (
	catVitalSigns = Concept{sysObsCategory, "vital-signs", "Vital Signs"}
	catLaboratory = Concept{sysObsCategory, "laboratory", "Laboratory"}
	interpretCS   = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
)

func (rec *record) observation(e *encounter, o *observation) *fhir.Observation {
	obs := &fhir.Observation{
		Status:            code("final"),
		Subject:           rec.subject(),
		Encounter:         ref(e.uuid, ""),
		EffectiveDateTime: dateTime(o.at),
		Issued:            instant(o.at.Add(2 * time.Minute)),
		Performer:         []*fhir.Reference{ref(e.who.uuid, e.who.display()), ref(e.org.uuid, e.org.name)},
	}
	if o.lab != nil {
		return rec.labObservation(e, o, obs)
	}
	v := o.vital
	obs.Meta = meta("UKCore-Observation-VitalSigns-"+v.profile, e.org)
	obs.Category = []*fhir.CodeableConcept{conceptText("Vital Signs", catVitalSigns)}
	obs.Code = concept(v.loinc, v.snomed)
	if v == &vitalBP {
		obs.Code.Text = str("Blood pressure")
		obs.Component = []*fhir.ObservationComponent{
			{
				Code:          conceptText("Systolic blood pressure", bpSystolicLOINC, bpSystolicSCT),
				ValueQuantity: ucum(o.systolic, 0, "millimeter of mercury", "mm[Hg]"),
			},
			{
				Code:          conceptText("Diastolic blood pressure", bpDiastolicLOINC, bpDiastolicSCT),
				ValueQuantity: ucum(o.diastolic, 0, "millimeter of mercury", "mm[Hg]"),
			},
		}
		return obs
	}
	obs.ValueQuantity = ucum(o.value, v.decimals, v.unit, v.ucum)
	return obs
}

func (rec *record) labObservation(e *encounter, o *observation, obs *fhir.Observation) *fhir.Observation {
	t := o.lab
	// Samples taken in the community are analysed by the area's acute trust laboratory.
	lab := e.org
	if lab.kind != orgAcute {
		lab = theDirectory().acute[lab.area]
	}
	obs.Meta = meta("UKCore-Observation-Lab", lab)
	obs.Category = []*fhir.CodeableConcept{concept(catLaboratory)}
	obs.Code = concept(t.snomed, t.loinc)
	obs.EffectiveDateTime = dateTime(e.start.Add(15 * time.Minute))
	obs.Issued = instant(o.at)
	obs.Performer = []*fhir.Reference{ref(lab.uuid, lab.name)}
	v := round(o.value, t.decimals)
	obs.ValueQuantity = ucum(v, t.decimals, t.unit, t.ucum)
	rr := &fhir.ObservationReferenceRange{}
	interp := Concept{interpretCS, "N", "Normal"}
	if t.low > 0 {
		rr.Low = ucum(t.low, t.decimals, t.unit, t.ucum)
		if v < t.low {
			interp = Concept{interpretCS, "L", "Low"}
		}
	}
	if t.high > 0 {
		rr.High = ucum(t.high, t.decimals, t.unit, t.ucum)
		if v > t.high {
			interp = Concept{interpretCS, "H", "High"}
		}
	}
	obs.ReferenceRange = []*fhir.ObservationReferenceRange{rr}
	obs.Interpretation = []*fhir.CodeableConcept{concept(interp)}
	return obs
}

func (rec *record) procedure(e *encounter, p *procedure) *fhir.Procedure {
	pr := &fhir.Procedure{
		Meta:            meta("UKCore-Procedure", e.org),
		Status:          code("completed"),
		Code:            concept(p.code),
		Subject:         rec.subject(),
		Encounter:       ref(e.uuid, ""),
		PerformedPeriod: &fhir.Period{Start: dateTime(p.start), End: dateTime(p.end)},
		Performer: []*fhir.ProcedurePerformer{{
			Actor:      ref(e.who.uuid, e.who.display()),
			OnBehalfOf: ref(e.org.uuid, e.org.name),
		}},
	}
	if p.reason != nil {
		pr.ReasonReference = []*fhir.Reference{ref(p.reason.uuid, p.reason.code.Display)}
	}
	return pr
}

func dosage(m medicine) *fhir.Dosage {
	d := &fhir.Dosage{
		Text:  str(m.dosage),
		Route: concept(m.route),
		DoseAndRate: []*fhir.DosageDoseAndRate{{
			DoseQuantity: &fhir.Quantity{Value: decimal(m.dose, 0), Unit: str(m.form),
				System: fhir.NewURI(sysSNOMED), Code: code(formUnit[m.form].Code)},
		}},
	}
	if m.perDay == 0 {
		d.AsNeededBoolean = fhir.NewBoolean(true)
	} else {
		d.Timing = &fhir.Timing{Repeat: &fhir.TimingRepeat{
			Frequency: fhir.NewPositiveInt(int64(m.perDay)), Period: fhir.NewDecimal("1"), PeriodUnit: code("d"),
		}}
	}
	return d
}

var requestCategories = map[string]Concept{
	"community": {"http://terminology.hl7.org/CodeSystem/medicationrequest-category", "community", "Community"},
	"inpatient": {"http://terminology.hl7.org/CodeSystem/medicationrequest-category", "inpatient", "Inpatient"},
	"discharge": {"http://terminology.hl7.org/CodeSystem/medicationrequest-category", "discharge", "Discharge"},
}

func (rec *record) medicationRequest(e *encounter, m *medRequest) *fhir.MedicationRequest {
	status := "completed"
	if m.active {
		status = "active"
	}
	course := Concept{"http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy", "continuous", "Continuous long term therapy"}
	if !m.continuous {
		course = Concept{"http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy", "acute", "Short course (acute) therapy"}
	}
	mr := &fhir.MedicationRequest{
		Meta:                      meta("UKCore-MedicationRequest", e.org),
		Status:                    code(status),
		Intent:                    code("order"),
		Category:                  []*fhir.CodeableConcept{concept(requestCategories[m.category])},
		MedicationCodeableConcept: concept(m.med.product),
		Subject:                   rec.subject(),
		Encounter:                 ref(e.uuid, ""),
		AuthoredOn:                dateTime(m.authored),
		Requester:                 ref(e.who.uuid, e.who.display()),
		CourseOfTherapyType:       concept(course),
		DosageInstruction:         []*fhir.Dosage{dosage(m.med)},
		DispenseRequest: &fhir.MedicationRequestDispenseRequest{
			Quantity: &fhir.Quantity{Value: decimal(float64(m.med.quantity), 0), Unit: str(m.med.form),
				System: fhir.NewURI(sysSNOMED), Code: code(formUnit[m.med.form].Code)},
		},
		Substitution: &fhir.MedicationRequestSubstitution{AllowedBoolean: fhir.NewBoolean(true)},
	}
	if !m.continuous {
		days := m.med.days
		if days == 0 { // a medicine usually taken long term, given for a week
			days = 7
		}
		mr.DispenseRequest.ExpectedSupplyDuration = &fhir.Duration{Value: decimal(float64(days), 0),
			Unit: str("days"), System: fhir.NewURI(sysUCUM), Code: code("d")}
	} else {
		mr.DispenseRequest.NumberOfRepeatsAllowed = fhir.NewUnsignedInt(11)
	}
	if m.reason != nil {
		mr.ReasonReference = []*fhir.Reference{ref(m.reason.uuid, m.reason.code.Display)}
	}
	return mr
}

func (rec *record) medicationStatement(e *encounter, s *medStatement) *fhir.MedicationStatement {
	return &fhir.MedicationStatement{
		Meta:                      meta("UKCore-MedicationStatement", e.org),
		Status:                    code("active"),
		MedicationCodeableConcept: concept(s.med.product),
		Subject:                   rec.subject(),
		Context:                   ref(e.uuid, ""),
		EffectiveDateTime:         dateTime(s.asserted),
		DateAsserted:              dateTime(s.asserted),
		InformationSource:         rec.subject(),
		ReasonReference:           []*fhir.Reference{ref(s.reason.uuid, s.reason.code.Display)},
		Dosage:                    []*fhir.Dosage{dosage(s.med)},
	}
}

func (rec *record) allergy(a *allergyRecord) *fhir.AllergyIntolerance {
	criticality := "low"
	if a.allergen.severity == "severe" {
		criticality = "high"
	}
	return &fhir.AllergyIntolerance{
		Meta:               meta("UKCore-AllergyIntolerance", a.org),
		ClinicalStatus:     concept(Concept{"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"}),
		VerificationStatus: concept(Concept{"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"}),
		Type:               code("allergy"),
		Category:           []*fhir.Code{code(a.allergen.category)},
		Criticality:        code(criticality),
		Code:               concept(a.allergen.substance),
		Patient:            rec.subject(),
		Encounter:          ref(a.enc.uuid, ""),
		RecordedDate:       dateTime(a.recorded),
		Recorder:           ref(a.who.uuid, a.who.display()),
		Asserter:           rec.subject(),
		Reaction: []*fhir.AllergyIntoleranceReaction{{
			Manifestation: []*fhir.CodeableConcept{concept(a.allergen.reaction)},
			Severity:      code(a.allergen.severity),
		}},
	}
}

func (rec *record) immunization(e *encounter, im *immunisation, lot string) *fhir.Immunization {
	return &fhir.Immunization{
		Meta:               meta("UKCore-Immunization", e.org),
		Extension:          []*fhir.Extension{extCC("VaccinationProcedure", concept(im.vacc.procedure))},
		Status:             code("completed"),
		VaccineCode:        concept(im.vacc.product),
		Patient:            rec.subject(),
		Encounter:          ref(e.uuid, ""),
		OccurrenceDateTime: dateTime(im.at),
		Recorded:           dateTime(im.at),
		PrimarySource:      fhir.NewBoolean(true),
		LotNumber:          str(lot),
		Site:               concept(siteLeftUpperArm),
		Route:              concept(routeIM),
		DoseQuantity:       ucum(0.5, 1, "milliliter", "mL"),
		Performer: []*fhir.ImmunizationPerformer{
			{Actor: ref(e.who.uuid, e.who.display())},
			{Actor: ref(e.org.uuid, e.org.name)},
		},
	}
}

func provenance(o *org, targets []string, recorded time.Time) *fhir.Provenance {
	p := &fhir.Provenance{
		Meta:     meta("UKCore-Provenance", o),
		Recorded: instant(recorded),
		Agent: []*fhir.ProvenanceAgent{{
			Type: concept(Concept{"http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author", "Author"}),
			Who:  ref(o.uuid, o.name),
		}},
	}
	for _, t := range targets {
		p.Target = append(p.Target, ref(t, ""))
	}
	return p
}
