// Package synth generates a synthetic UK population as FHIR R4 transaction bundles that
// conform to the UK Core profiles: one bundle per patient, with NHS numbers that pass
// Modulus 11, UK names, addresses and postcodes, GP practices, NHS trusts and community
// providers identified by ODS codes, practitioners, encounters, SNOMED CT coded conditions
// and procedures, dm+d medicines, vital signs and laboratory results (LOINC, SNOMED CT,
// UCUM), allergies and immunisations. Each patient's record is spread across the three
// providers that would hold it in England (the GP practice, the acute trust and the
// community trust), and every patient and clinical resource names the provider it came
// from in meta.source and in a Provenance resource.
//
// Output is a pure function of the seed, the population index and the reference date:
// the same options always give the same bytes.
//
// Specifications:
//   - UK Core R4 profiles: https://simplifier.net/hl7fhirukcorer4
//   - FHIR R4 transactions: https://hl7.org/fhir/R4/http.html#transaction
//   - conditional create (ifNoneExist): https://hl7.org/fhir/R4/http.html#ccreate
//   - FHIR vital signs profile: https://hl7.org/fhir/R4/observation-vitalsigns.html
//   - NHS number check digit: https://www.datadictionary.nhs.uk/attributes/nhs_number.html
//   - SNOMED CT identifiers and the Verhoeff check digit:
//     https://confluence.ihtsdotools.org/display/DOCRELFMT/6.3+SCTID+Constraints
//   - LOINC check digit (Mod 10): https://loinc.org/kb/users-guide/calculating-mod-10-check-digits/
//
// The NHS trusts and their ODS codes are real public organisations; GP practices, people
// and every clinical fact are invented.
package synth
