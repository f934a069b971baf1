#!/bin/sh
# Compares joinedup's FHIRPath engine with HL7's fhirpath.js 5.2.2 on the same
# expressions and Synthea resources, in one run, and prints evaluations per second
# and the ratio per expression.
#
# Usage (from anywhere): bench/fhirpath-js/run.sh
# Needs Node.js 20 and npm (fhirpath@5.2.2 is installed into this folder's
# node_modules, which git ignores) and ../shared/data/synthea beside the repository.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$here"
if [ ! -d node_modules/fhirpath ]; then
	npm install --no-audit --no-fund >/dev/null
fi
js=$(mktemp)
go_out=$(mktemp)
trap 'rm -f "$js" "$go_out"' EXIT
echo "fhirpath.js $(node -p "require('fhirpath/package.json').version") on node $(node --version)..." >&2
node bench.js "$repo/../shared/data/synthea" >"$js"
echo "joinedup fhirpath (go test -bench BenchmarkExpressions)..." >&2
(cd "$repo" && go test ./fhirpath -run '^$' -bench 'BenchmarkExpressions' -benchtime 3s) >"$go_out"
printf '%-22s %16s %16s %8s\n' expression "fhirpath.js/s" "joinedup/s" ratio
while read -r name jsrate; do
	gorate=$(awk -v n="BenchmarkExpressions/$name-" 'index($1, n) == 1 { for (i = 1; i < NF; i++) if ($(i+1) == "evals/s") print $i }' "$go_out")
	awk -v n="$name" -v j="$jsrate" -v g="$gorate" 'BEGIN { printf "%-22s %16.1f %16.1f %7.1fx\n", n, j, g, g / j }'
done <"$js"
