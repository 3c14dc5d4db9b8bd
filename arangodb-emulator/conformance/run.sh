#!/usr/bin/env bash
# Builds the emulator, installs the pinned python-arango driver and runs the
# conformance suite against the standalone emulator. Exits with pytest's status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"

(cd "$workspace" && cargo build -p arangodb-emulator)
# Where cargo put it: honours CARGO_TARGET_DIR and .cargo/config.
target_dir="$(cd "$workspace" && cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
export EMULATOR_BIN="${EMULATOR_BIN:-$target_dir/debug/arangodb-emulator}"

python3 -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"

cd "$here"
status=0
python3 -m pytest -q "$@" || status=$?
exit "$status"
