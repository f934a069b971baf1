#!/bin/sh
# Compares joinedup's FHIRPath engine with HL7's fhirpath.js 5.2.2 on the same
# expressions and Synthea resources, in one run, and prints evaluations per second and
# the ratio per expression. The two engines run one after the other for each
# expression, so that a change in the machine's load affects both sides alike.
#
# Usage (from anywhere): bench/fhirpath-js/run.sh
# Needs Node.js 20 and npm (fhirpath@5.2.2 is installed into this folder's
# node_modules, which git ignores), Go, and ../shared/data/synthea beside the
# repository. BENCH_SECONDS (default 3) is the time per expression and engine.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
data="$repo/../shared/data/synthea"
seconds=${BENCH_SECONDS:-3}
cd "$here"
if [ ! -d node_modules/fhirpath ]; then
	npm install --no-audit --no-fund >/dev/null
fi
echo "fhirpath.js $(node -p "require('fhirpath/package.json').version") on node $(node --version); $(go version)" >&2
(cd "$repo" && go test -c -o "$here/.fhirpath.test" ./fhirpath)
trap 'rm -f "$here/.fhirpath.test"' EXIT
printf '%-22s %16s %16s %8s\n' expression "fhirpath.js/s" "joinedup/s" ratio
for name in $(node -e "for (const l of require('fs').readFileSync('bench.js', 'utf8').matchAll(/^  \['(\w+)'/gm)) console.log(l[1])"); do
	jsrate=$(BENCH_SECONDS=$seconds node bench.js "$data" "$name" | awk '{ print $2 }')
	gorate=$(cd "$repo/fhirpath" && "$here/.fhirpath.test" -test.run '^$' -test.bench "BenchmarkExpressions/$name\$" -test.benchtime "${seconds}s" |
		awk '{ for (i = 1; i < NF; i++) if ($(i+1) == "evals/s") print $i }')
	awk -v n="$name" -v j="$jsrate" -v g="$gorate" 'BEGIN { printf "%-22s %16.1f %16.1f %7.1fx\n", n, j, g, g / j }'
done
