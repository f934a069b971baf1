// Times HL7's fhirpath.js (npm fhirpath@5.2.2, compiled form, R4 model) on the
// expressions and Synthea resources of joinedup's BenchmarkExpressions
// (fhirpath/bench_test.go) and prints one line per expression:
//   <name> <evaluations per second>
'use strict';
const fs = require('fs');
const path = require('path');
const fhirpath = require('fhirpath');
const model = require('fhirpath/fhir-context/r4');

// Keep in step with benchExpressions in fhirpath/bench_test.go.
const expressions = [
  ['PatientOfficialGiven', 'Patient', "Patient.name.where(use = 'official').given.first()"],
  ['ObservationQuantity', 'Observation', 'Observation.value.ofType(Quantity).value > 100'],
  ['BundleBodyWeight', 'Bundle', "Bundle.entry.resource.ofType(Observation).where(code.coding.code = '29463-7').value"],
  ['Ele1AllElements', 'Bundle', 'Bundle.descendants().all(hasValue() or (children().count() > id.count()))'],
];

const dir = process.argv[2] || path.join(__dirname, '..', '..', '..', 'shared', 'data', 'synthea');
const byType = { Bundle: [] };
for (const f of fs.readdirSync(dir).sort()) {
  if (!f.endsWith('.json') || f.includes('Information')) continue;
  const bundle = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  byType.Bundle.push(bundle);
  for (const e of bundle.entry || []) {
    if (!e.resource) continue;
    (byType[e.resource.resourceType] = byType[e.resource.resourceType] || []).push(e.resource);
  }
}

const only = process.argv[3];
const seconds = Number(process.env.BENCH_SECONDS || 3);
for (const [name, on, expr] of expressions) {
  if (only && name !== only) continue;
  const fn = fhirpath.compile(expr, model);
  const inputs = byType[on] || [];
  for (const r of inputs) fn(r); // warm up
  let evals = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < limit) {
    for (const r of inputs) fn(r);
    evals += inputs.length;
    elapsed = process.hrtime.bigint() - start;
  }
  console.log(`${name} ${(evals / (Number(elapsed) / 1e9)).toFixed(1)}`);
}
