package synth

import "time"

// Clinical tables. Every SNOMED CT and dm+d identifier here is a real concept with its
// description as published (UK edition spelling where it differs); the tests check each
// identifier's Verhoeff check digit and each LOINC code's Mod 10 check digit.

func sct(code, display string) Concept   { return Concept{sysSNOMED, code, display} }
func dmd(code, display string) Concept   { return Concept{sysDMD, code, display} }
func loinc(code, display string) Concept { return Concept{sysLOINC, code, display} }

// medicine is a dm+d virtual medicinal product and how it is usually taken.
type medicine struct {
	product  Concept
	dosage   string  // dosage instruction as a prescriber writes it
	route    Concept // SNOMED CT route
	perDay   int     // doses a day; 0 for "when required"
	dose     float64 // amount per dose, in units of form
	form     string  // "tablet", "capsule", "dose"
	quantity int     // supplied per issue
	days     int     // course length for acute medicines, 0 for long-term ones
}

var (
	routeOral       = sct("26643006", "Oral")
	routeInhalation = sct("18679011000001101", "Inhalation")
	routeIM         = sct("78421000", "Intramuscular")
)

var (
	medAmlodipine    = medicine{dmd("319283006", "Amlodipine 5mg tablets"), "Take one tablet once a day", routeOral, 1, 1, "tablet", 28, 0}
	medRamipril      = medicine{dmd("318906001", "Ramipril 10mg capsules"), "Take one capsule once a day", routeOral, 1, 1, "capsule", 28, 0}
	medMetformin     = medicine{dmd("325278007", "Metformin 500mg tablets"), "Take one tablet twice a day with meals", routeOral, 2, 1, "tablet", 56, 0}
	medSimvastatin   = medicine{dmd("320000009", "Simvastatin 40mg tablets"), "Take one tablet at night", routeOral, 1, 1, "tablet", 28, 0}
	medAtorvastatin  = medicine{dmd("320029006", "Atorvastatin 10mg tablets"), "Take one tablet once a day", routeOral, 1, 1, "tablet", 28, 0}
	medAspirin       = medicine{dmd("319773006", "Aspirin 75mg dispersible tablets"), "Take one tablet once a day", routeOral, 1, 1, "tablet", 28, 0}
	medSalbutamol    = medicine{dmd("39113611000001102", "Salbutamol 100micrograms/dose inhaler CFC free"), "Inhale two doses when required for breathlessness", routeInhalation, 0, 2, "dose", 200, 0}
	medBeclometasone = medicine{dmd("408063002", "Beclometasone 100micrograms/dose inhaler CFC free"), "Inhale two doses twice a day", routeInhalation, 2, 2, "dose", 200, 0}
	medLevothyroxine = medicine{dmd("374296008", "Levothyroxine sodium 100microgram tablets"), "Take one tablet in the morning", routeOral, 1, 1, "tablet", 28, 0}
	medParacetamol   = medicine{dmd("322236009", "Paracetamol 500mg tablets"), "Take two tablets up to four times a day when required", routeOral, 0, 2, "tablet", 100, 0}
	medAmoxicillin   = medicine{dmd("39732411000001106", "Amoxicillin 500mg capsules"), "Take one capsule three times a day for 5 days", routeOral, 3, 1, "capsule", 15, 5}
	medClarithro     = medicine{dmd("41946511000001109", "Clarithromycin 500mg tablets"), "Take one tablet twice a day for 5 days", routeOral, 2, 1, "tablet", 10, 5}
	medDoxycycline   = medicine{dmd("41948311000001104", "Doxycycline 100mg capsules"), "Take two capsules on the first day, then one capsule once a day", routeOral, 1, 1, "capsule", 6, 5}
	medCiprofloxacin = medicine{dmd("39687811000001107", "Ciprofloxacin 500mg tablets"), "Take one tablet twice a day for 7 days", routeOral, 2, 1, "tablet", 14, 7}
)

// formUnit is the dm+d unit of a form, as a SNOMED CT concept (dispense quantities).
var formUnit = map[string]Concept{
	"tablet":  sct("428673006", "tablet"),
	"capsule": sct("428641000", "capsule"),
	"dose":    sct("3317411000001100", "dose"),
}

// labTest is a pathology result: SNOMED CT (UK Pathology Bounded Code List) and LOINC
// codes, UCUM unit, reference range and the spread of values.
type labTest struct {
	snomed, loinc Concept
	unit, ucum    string
	low, high     float64 // reference range; 0 for none on that side
	decimals      int
}

var (
	labHbA1c = labTest{
		sct("999791000000106", "Haemoglobin A1c level - International Federation of Clinical Chemistry and Laboratory Medicine standardised"),
		loinc("59261-8", "Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol"),
		"mmol/mol", "mmol/mol", 20, 41, 0}
	labEGFR = labTest{
		sct("1011481000000105", "eGFR (estimated glomerular filtration rate) using creatinine Chronic Kidney Disease Epidemiology Collaboration equation per 1.73 square metres"),
		loinc("62238-1", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)"),
		"mL/min/1.73m2", "mL/min/{1.73_m2}", 60, 0, 0}
	labCholesterol = labTest{
		sct("1005671000000105", "Serum cholesterol level"),
		loinc("14647-2", "Cholesterol [Moles/volume] in Serum or Plasma"),
		"mmol/L", "mmol/L", 0, 5, 1}
	labHDL = labTest{
		sct("1005681000000107", "Serum high density lipoprotein cholesterol level"),
		loinc("14646-4", "Cholesterol in HDL [Moles/volume] in Serum or Plasma"),
		"mmol/L", "mmol/L", 1, 0, 1}
	labLDL = labTest{
		sct("1022191000000100", "Serum low density lipoprotein cholesterol level"),
		loinc("22748-8", "Cholesterol in LDL [Moles/volume] in Serum or Plasma"),
		"mmol/L", "mmol/L", 0, 3, 1}
	labPotassium = labTest{
		sct("1000651000000109", "Serum potassium level"),
		loinc("2823-3", "Potassium [Moles/volume] in Serum or Plasma"),
		"mmol/L", "mmol/L", 3.5, 5.3, 1}
	labAlbumin = labTest{
		sct("1000821000000103", "Serum albumin level"),
		loinc("1751-7", "Albumin [Mass/volume] in Serum or Plasma"),
		"g/L", "g/L", 35, 50, 0}
)

// vitalSign is one of the FHIR vital signs with its UK Core profile.
type vitalSign struct {
	profile       string // UK Core profile name after "UKCore-Observation-VitalSigns-"
	loinc, snomed Concept
	unit, ucum    string
	decimals      int
}

var (
	vitalHeartRate = vitalSign{"HeartRate", loinc("8867-4", "Heart rate"), sct("364075005", "Heart rate"), "per minute", "/min", 0}
	vitalRespRate  = vitalSign{"RespirationRate", loinc("9279-1", "Respiratory rate"), sct("86290005", "Respiratory rate"), "per minute", "/min", 0}
	vitalTemp      = vitalSign{"BodyTemperature", loinc("8310-5", "Body temperature"), sct("276885007", "Core body temperature"), "degree Celsius", "Cel", 1}
	vitalSpO2      = vitalSign{"OxygenSaturation", loinc("2708-6", "Oxygen saturation in Arterial blood"), sct("431314004", "Peripheral oxygen saturation"), "percent", "%", 0}
	vitalWeight    = vitalSign{"BodyWeight", loinc("29463-7", "Body weight"), sct("27113001", "Body weight"), "kilogram", "kg", 1}
	vitalHeight    = vitalSign{"BodyHeight", loinc("8302-2", "Body height"), sct("50373000", "Body height measure"), "centimeter", "cm", 0}
	vitalBMI       = vitalSign{"BMI", loinc("39156-5", "Body mass index (BMI) [Ratio]"), sct("60621009", "Body mass index"), "kilogram / (meter ^ 2)", "kg/m2", 1}
	// Blood pressure is a panel with two components.
	vitalBP          = vitalSign{"BloodPressure", loinc("85354-9", "Blood pressure panel with all children optional"), sct("75367002", "Blood pressure"), "", "", 0}
	bpSystolicLOINC  = loinc("8480-6", "Systolic blood pressure")
	bpSystolicSCT    = sct("72313002", "Systolic arterial pressure")
	bpDiastolicLOINC = loinc("8462-4", "Diastolic blood pressure")
	bpDiastolicSCT   = sct("1091811000000102", "Diastolic arterial pressure")
)

// chronicCondition is a long-term condition with the care that follows it.
type chronicCondition struct {
	concept Concept
	// prevalence by age band: <18, 18-39, 40-59, 60-74, 75+.
	prevalence [5]float64
	// onsetMin is the youngest age of onset.
	onsetMin int
	meds     []medicine
	labs     []*labTest
	// clinic is the hospital outpatient clinic that sees the condition ("" if none).
	clinic Concept
	// hypertensive, diabetic ... adjust observation values.
	effect conditionEffect
}

type conditionEffect int

const (
	effectNone conditionEffect = iota
	effectHypertension
	effectDiabetes
	effectCOPD
	effectCKD
	effectLipids
)

var (
	clinicDiabetic   = sct("185229005", "Seen in diabetic clinic")
	clinicCardiac    = sct("185228002", "Seen in cardiac clinic")
	clinicChest      = sct("185240002", "Seen in chest clinic")
	clinicNephrology = sct("185250001", "Seen in nephrology clinic")
	clinicOrthopaed  = sct("185252009", "Seen in orthopaedic clinic")
	clinicEndocrine  = sct("185255006", "Seen in endocrine clinic")
	clinicHypertens  = sct("185264001", "Seen in hypertension clinic")
)

var chronicConditions = []chronicCondition{
	{sct("38341003", "Hypertensive disorder, systemic arterial"), [5]float64{0, 0.03, 0.16, 0.38, 0.55}, 30,
		[]medicine{medAmlodipine, medRamipril}, []*labTest{&labEGFR, &labPotassium}, clinicHypertens, effectHypertension},
	{sct("44054006", "Type 2 diabetes mellitus"), [5]float64{0, 0.015, 0.06, 0.13, 0.16}, 30,
		[]medicine{medMetformin, medAtorvastatin}, []*labTest{&labHbA1c, &labEGFR, &labCholesterol}, clinicDiabetic, effectDiabetes},
	{sct("195967001", "Asthma"), [5]float64{0.09, 0.08, 0.07, 0.07, 0.06}, 3,
		[]medicine{medSalbutamol, medBeclometasone}, nil, clinicChest, effectNone},
	{sct("13645005", "Chronic obstructive lung disease"), [5]float64{0, 0, 0.02, 0.05, 0.08}, 40,
		[]medicine{medSalbutamol}, nil, clinicChest, effectCOPD},
	{sct("13644009", "Hypercholesterolaemia"), [5]float64{0, 0.02, 0.10, 0.18, 0.20}, 25,
		[]medicine{medSimvastatin}, []*labTest{&labCholesterol, &labHDL, &labLDL}, Concept{}, effectLipids},
	{sct("414545008", "Ischaemic heart disease"), [5]float64{0, 0, 0.02, 0.07, 0.13}, 40,
		[]medicine{medAspirin, medAtorvastatin}, []*labTest{&labCholesterol}, clinicCardiac, effectLipids},
	{sct("433144002", "Chronic kidney disease stage 3"), [5]float64{0, 0, 0.01, 0.05, 0.15}, 40,
		nil, []*labTest{&labEGFR, &labPotassium}, clinicNephrology, effectCKD},
	{sct("40930008", "Hypothyroidism"), [5]float64{0, 0.01, 0.03, 0.05, 0.06}, 18,
		[]medicine{medLevothyroxine}, nil, clinicEndocrine, effectNone},
	{sct("396275006", "Osteoarthritis"), [5]float64{0, 0.01, 0.08, 0.18, 0.30}, 40,
		[]medicine{medParacetamol}, nil, clinicOrthopaed, effectNone},
	{sct("35489007", "Depressive disorder"), [5]float64{0.01, 0.09, 0.09, 0.07, 0.06}, 14,
		nil, nil, Concept{}, effectNone},
}

// acuteIllness is something seen in general practice and treated there.
type acuteIllness struct {
	concept Concept
	minAge  int
	maxAge  int
	meds    []medicine // one is chosen, or none when empty
	fever   bool
	weight  int
	// test is a procedure done at the consultation (zero if none).
	test Concept
	// from is when the illness first occurred (COVID-19); zero for any time.
	from time.Time
}

var acuteIllnesses = []acuteIllness{
	{sct("444814009", "Viral sinusitis"), 5, 120, nil, false, 12, Concept{}, time.Time{}},
	{sct("195662009", "Acute viral pharyngitis"), 2, 120, nil, true, 12, Concept{}, time.Time{}},
	{sct("43878008", "Streptococcal sore throat"), 3, 60, []medicine{medClarithro}, true, 4, sct("117015009", "Throat culture"), time.Time{}},
	{sct("10509002", "Acute bronchitis"), 16, 120, []medicine{medAmoxicillin, medDoxycycline}, true, 8, Concept{}, time.Time{}},
	{sct("65363002", "Otitis media"), 0, 12, []medicine{medAmoxicillin}, true, 8, Concept{}, time.Time{}},
	{sct("68566005", "Urinary tract infectious disease"), 16, 120, []medicine{medCiprofloxacin}, false, 8, Concept{}, time.Time{}},
	{sct("279039007", "Low back pain"), 18, 120, []medicine{medParacetamol}, false, 10, Concept{}, time.Time{}},
	{sct("840539006", "COVID-19"), 0, 120, nil, true, 5, Concept{}, time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)},
	{condAnkleSprain, 8, 80, []medicine{medParacetamol}, false, 4, Concept{}, time.Time{}},
}

// Hospital episodes.
var (
	encGPSurgery = sct("185202000", "Seen in GP's surgery")
	encCasualty  = sct("185210004", "Seen in hospital casualty")
	encWard      = sct("185212007", "Seen in hospital ward")
	encOwnHome   = sct("270420001", "Seen in own home")

	classAmbulatory = Concept{sysActCode, "AMB", "ambulatory"}
	classEmergency  = Concept{sysActCode, "EMER", "emergency"}
	classInpatient  = Concept{sysActCode, "IMP", "inpatient encounter"}
	classHome       = Concept{sysActCode, "HH", "home health"}

	condPneumonia    = sct("233604007", "Pneumonia")
	condAppendicitis = sct("74400008", "Appendicitis")
	condChestPain    = sct("29857009", "Chest pain")
	condFemurFx      = sct("71620000", "Fracture of femur")
	condAnkleSprain  = sct("44465007", "Sprain of ankle")

	procAppendicectomy = sct("80146002", "Appendicectomy")
	procHipReplacement = sct("52734007", "Total replacement of hip")
	procKneeReplace    = sct("609588000", "Total knee replacement")
	procPCI            = sct("415070008", "Percutaneous coronary intervention")
	procECG            = sct("29303009", "Electrocardiographic procedure")
	procChestXray      = sct("399208008", "Plain chest X-ray")
	procMedReview      = sct("182836005", "Review of medication")
	procDressing       = sct("18949003", "Change of dressing")
	procDepressionScr  = sct("171207006", "Depression screening")

	admitElective     = Concept{"https://fhir.hl7.org.uk/CodeSystem/UKCore-AdmissionMethodEngland", "11", "Elective Admission: Waiting list"}
	admitEmergency    = Concept{"https://fhir.hl7.org.uk/CodeSystem/UKCore-AdmissionMethodEngland", "21", "Emergency Admission: Emergency Care Department or dental casualty department of the Health Care Provider"}
	dischargeClinical = Concept{"https://fhir.hl7.org.uk/CodeSystem/UKCore-DischargeMethodEngland", "1", "Patient discharged on clinical advice or with clinical consent"}
	dischargeHome     = Concept{"https://fhir.hl7.org.uk/CodeSystem/UKCore-DischargeDestinationEngland", "19", "Usual place of residence unless listed below, for example, a private dwelling whether owner occupied or owned by Local Authority, housing association or other landlord. This includes wardened accommodation but not residential accommodation where health care is provided. It also includes patients with no fixed abode."}
)

// Allergies.
type allergen struct {
	substance Concept
	category  string // food | medication | environment
	reaction  Concept
	severity  string
	weight    int
}

var allergens = []allergen{
	{sct("764146007", "Penicillin"), "medication", sct("271807003", "Eruption of skin"), "moderate", 8},
	{sct("372687004", "Amoxicillin"), "medication", sct("247472004", "Urticarial rash"), "mild", 3},
	{sct("762952008", "Peanut"), "food", sct("39579001", "Anaphylaxis"), "severe", 2},
	{sct("111088007", "Latex"), "environment", sct("247472004", "Urticarial rash"), "mild", 1},
}

// Vaccines: dm+d product and the UK Core vaccination procedure.
type vaccine struct {
	product   Concept
	procedure Concept
}

var (
	vaccFlu = vaccine{
		dmd("11278411000001109", "Influenza vaccine (split virion, inactivated) suspension for injection 0.5ml pre-filled syringes (Pfizer Ltd)"),
		sct("985151000000100", "Administration of first inactivated seasonal influenza vaccination")}
	vaccPneumo = vaccine{
		dmd("10245211000001108", "Pneumococcal polysaccharide conjugated vaccine (adsorbed) suspension for injection 0.5ml pre-filled syringes"),
		sct("1119366009", "Administration of pneumococcal 13-valent conjugate vaccine")}
	vaccCovid1 = vaccine{
		dmd("39115611000001103", "Comirnaty COVID-19 mRNA Vaccine 30micrograms/0.3ml dose concentrate for dispersion for injection multidose vials (Pfizer Ltd)"),
		sct("1144997007", "Administration of first dose of SARS-CoV-2 mRNA vaccine")}
	vaccCovid2 = vaccine{
		dmd("39115611000001103", "Comirnaty COVID-19 mRNA Vaccine 30micrograms/0.3ml dose concentrate for dispersion for injection multidose vials (Pfizer Ltd)"),
		sct("1144998002", "Administration of second dose of SARS-CoV-2 mRNA vaccine")}
	siteLeftUpperArm = sct("368208006", "Left upper arm structure")
)
