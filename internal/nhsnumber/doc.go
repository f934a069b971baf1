// Package nhsnumber checks and formats NHS numbers, the ten-digit patient identifiers of
// England, Wales and the Isle of Man (FHIR identifier system https://fhir.nhs.uk/Id/nhs-number).
//
// The tenth digit is a Modulus 11 check digit over the first nine, weighted 10 down to 2:
// the check digit is 11 − (sum mod 11), where 11 becomes 0 and 10 means the number can
// never be valid. Errors are worded for clinicians and show the number in the 3-3-4
// grouping they see on letters and screens.
//
// Specification: NHS Data Model and Dictionary, "NHS NUMBER"
// (https://www.datadictionary.nhs.uk/attributes/nhs_number.html) and the UK Core identifier
// guidance (https://simplifier.net/guide/ukcoreversionhistory/Home/Identifiers).
package nhsnumber
