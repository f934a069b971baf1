// Package importer loads FHIR data from files into joinedup (`joinedup import`), either
// directly through the interaction layer's one write path or over HTTP into any FHIR server:
// transaction bundles as transactions, batch bundles as batches, other bundles and NDJSON
// (https://hl7.org/fhir/R4/nd-json.html) entry by entry, single resources as one write.
// Resources with an id are updated (PUT, update as create); those without are created.
package importer
