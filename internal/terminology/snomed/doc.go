// Package snomed holds SNOMED CT for joinedup's terminology server: the form rules of
// SNOMED CT identifiers (partition identifier and Verhoeff check digit), and a store of a
// SNOMED CT release loaded from its RF2 snapshot files (concepts, descriptions, active is-a
// relationships, language reference sets) into a SQLite file, which answers concept
// lookups and subsumption.
//
// Specification: SNOMED CT Technical Implementation Guide, 6.1 "SCTID Data Type", 6.6
// "Check-digit" (https://confluence.ihtsdotools.org/display/DOCTIG/6.6+Check-digit) and
// 4 "Release File Specifications" (https://confluence.ihtsdotools.org/display/DOCRELFMT);
// the UK edition layout as NHS England TRUD publishes it.
package snomed
