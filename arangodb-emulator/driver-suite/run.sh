#!/usr/bin/env bash
# Runs python-arango's OWN test suite (vendored unmodified under tests/, see
# README.md here) against the standalone emulator. Builds the emulator, starts
# it on a free loopback port with the root password and JWT secret the suite's
# conftest needs, deselects the reasoned exclusions in exclusions.txt through
# emulator_plugin.py, and exits non-zero when any other test fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"
password="driver-suite-root"
secret="driver-suite-jwt-secret-0123456789abcdef"

(cd "$workspace" && cargo build -q -p arangodb-emulator)
# Where cargo put it: honours CARGO_TARGET_DIR and .cargo/config.
target_dir="$(cd "$workspace" && cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
binary="${EMULATOR_BIN:-$target_dir/debug/arangodb-emulator}"

# Same pinned driver, pytest and PyJWT as the conformance suite (the suite's
# conftest also imports `packaging`, which pytest itself depends on).
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
  -r "$workspace/arangodb-emulator/conformance/requirements.txt"

log="$(mktemp -t arangodb-emulator-driver-suite.XXXXXX)"
fifo="$(mktemp -u -t arangodb-emulator-driver-suite-out.XXXXXX)"
mkfifo "$fifo"
# --vector-index: as arangod, vector indexes exist only when enabled at startup.
"$binary" --listen 127.0.0.1:0 --root-password "$password" --jwt-secret "$secret" --vector-index \
  >"$fifo" 2>"$log" &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$fifo" "$log"
}
trap cleanup EXIT
exec 3<"$fifo"
line=""
if ! read -r -t 20 line <&3 || [[ "$line" != "arangodb-emulator listening on http://"* ]]; then
  echo "emulator did not start (first line: '$line'):" >&2
  cat "$log" >&2
  exit 3
fi
address="${line#arangodb-emulator listening on http://}"
host="${address%:*}"
port="${address##*:}"
# Keep draining stdout so the emulator never blocks on a full pipe.
cat <&3 >/dev/null &

cd "$here"
status=0
python3 -m pytest -p emulator_plugin -p no:cacheprovider -W ignore::DeprecationWarning -q -rfE \
  --rootdir "$here" -c /dev/null \
  --host "$host" --port "$port" --password "$password" --secret "$secret" \
  --skip backup foxx js-transactions task -- \
  tests/test_collection.py tests/test_index.py tests/test_graph.py \
  tests/test_aql.py tests/test_view.py tests/test_analyzer.py \
  tests/test_database.py tests/test_user.py tests/test_permission.py \
  "$@" || status=$?
exit "$status"
