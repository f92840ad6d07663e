#!/usr/bin/env bash
# Seeds the `parse` fuzz target's corpus with the conformance programs and the saved
# regression inputs. Run from anywhere; MLPY_CONFORMANCE_DIR overrides where the
# conformance corpus is (default: ../../shared/conformance from the repository root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
conformance="${MLPY_CONFORMANCE_DIR:-$here/../../shared/conformance}"
corpus="$here/corpus/parse"
mkdir -p "$corpus"
n=0
while IFS= read -r -d '' file; do
    name="$(basename "$(dirname "$file")")_$(basename "$file")"
    cp "$file" "$corpus/$name"
    n=$((n + 1))
done < <(find "$conformance/programs" -name '*.ml' -print0)
for file in "$here"/regressions/*; do
    [ -f "$file" ] && cp "$file" "$corpus/regression_$(basename "$file")" && n=$((n + 1))
done
echo "seeded $corpus with $n files"
