#!/usr/bin/env bash
# Checks that dist/ is exactly what the sources compile to: a release commit
# carries dist/ for the Action, and it must not differ from the tagged code.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d dist ] || { echo "check-dist: no dist/ to check" >&2; exit 1; }
# Beside dist/, so the source maps' relative paths are the same.
fresh=".dist-check-$$"
trap 'rm -rf "$fresh"' EXIT
npx tsc -p tsconfig.build.json --outDir "$fresh"
if ! diff -r -q "$fresh" dist; then
  echo "check-dist: dist/ does not match a build of the sources (above: files that differ)" >&2
  exit 1
fi
echo "check-dist: dist/ matches the sources"
