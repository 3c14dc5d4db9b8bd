#!/usr/bin/env bash
# Replays the recorded real-server transcripts (../shared/arangodb-transcripts,
# or $ARANGODB_TRANSCRIPTS) against the emulator, per ArangoDB version and
# deployment, and prints `N/M transcripts reproduced` for each.
#
# Fails when an example listed in baseline.json (the once-passing examples)
# no longer reproduces. `--update-baseline` (or UPDATE_BASELINE=1) rewrites
# baseline.json from this run. `--verbose` lists every excluded example.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
transcripts="${ARANGODB_TRANSCRIPTS:-$root/../shared/arangodb-transcripts}"
[ -d "$transcripts" ] || transcripts="/work/shared/arangodb-transcripts"
[ -d "$transcripts" ] || { echo "transcripts not found; set ARANGODB_TRANSCRIPTS" >&2; exit 2; }

args=()
[ "${UPDATE_BASELINE:-}" = 1 ] && args+=(--update-baseline)
args+=("$@")

(cd "$root" && cargo build --quiet --locked -p arangodb-emulator)
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
selftest="$(mktemp)"
node --test "$here/harness.test.js" > "$selftest" 2>&1 || { cat "$selftest"; rm -f "$selftest"; echo "harness self-test failed" >&2; exit 1; }
rm -f "$selftest"
echo "== transcript replay ($transcripts)"
exec node "$here/replay.js" --emulator "$target_dir/debug/arangodb-emulator" --transcripts "$transcripts" "${args[@]}"
