#!/usr/bin/env bash
# Acceptance test of the first-run set-up of Odoo 18.0 (tools/bootstrap_odoo.py). It takes many
# minutes, so it is not part of `make test`; run it with `make test-bootstrap` (see README.md).
#
# It copies this work tree into a temporary folder, as a fresh clone (nothing under .local/, an
# empty pip cache), and there:
#   1. runs `make test PYTEST_ARGS=-k suite_install` with ODOO_SOURCE, so that the suite builds its
#      own environment from that source and runs the suite_install tests with it;
#   2. checks that a wrong ODOO_SOURCE fails naming the step and the fix, and leaves the ready
#      environment usable;
#   3. runs the start of a second `make run` (`tools/suite.sh env`) and checks that it reuses the
#      environment within REUSE_LIMIT seconds (default 30).
#
#   ODOO_SOURCE=/path/to/odoo-18.0 tools/test_bootstrap.sh
# ODOO_SOURCE is required (a local Odoo 18.0 folder or archive: the test must not depend on the
# network for Odoo); PYTHON, TEST_DB, HTTP_PORT and PG* are passed to make test; KEEP=1 keeps the
# temporary folder.
set -euo pipefail

: "${ODOO_SOURCE:?set ODOO_SOURCE to a local Odoo 18.0 source folder or archive}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REUSE_LIMIT=${REUSE_LIMIT:-30}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/suite-bootstrap.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
export PIP_CACHE_DIR="$WORK/pip-cache"
SUITE="$WORK/suite"
ENV_PYTHON="$SUITE/.local/odoo-18.0/venv/bin/python"

fail() {
    echo "test_bootstrap: FAILED: $*" >&2
    exit 1
}
now() { date +%s; }

echo "test_bootstrap: copying the work tree into $SUITE"
mkdir "$SUITE"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
    tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$SUITE"
cd "$SUITE"

echo "test_bootstrap: 1. make test PYTEST_ARGS=-k suite_install with ODOO_SOURCE=$ODOO_SOURCE"
start=$(now)
make test PYTEST_ARGS="-k suite_install" 2>&1 | tee "$WORK/first-run.log" ||
    fail "make test failed on the first run (log above)"
first=$(($(now) - start))
grep -q "Setting up Odoo 18.0 Community from" "$WORK/first-run.log" ||
    fail "the first run did not set up its own Odoo environment"
[ -f .local/odoo-18.0/ready.json ] || fail "no ready marker after a successful set-up"
"$ENV_PYTHON" - <<'PY' || fail "the test report does not show the suite_install tests passing"
import xml.etree.ElementTree as ET
root = ET.parse(".local/test-results.xml").getroot()
cases = root.iter("testcase")
names = [f"{case.get('classname')}.{case.get('name')}" for case in cases]
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
assert names and all("suite_install" in name for name in names), names
assert not bad, f"{bad} failures or errors"
print(f"test_bootstrap: {len(names)} suite_install tests passed")
PY

echo "test_bootstrap: 2. a wrong ODOO_SOURCE fails clearly and keeps the environment"
mkdir "$WORK/not-odoo"
if ODOO_SOURCE="$WORK/not-odoo" tools/suite.sh env >"$WORK/wrong.log" 2>&1; then
    fail "ODOO_SOURCE=$WORK/not-odoo was accepted"
fi
grep -q "ERROR: step 'Getting Odoo 18.0's source' failed" "$WORK/wrong.log" &&
    grep -q "fix: .* is not an Odoo source folder" "$WORK/wrong.log" ||
    fail "the failure does not name the step and the fix: $(cat "$WORK/wrong.log")"
[ -f .local/odoo-18.0/ready.json ] || fail "a wrong ODOO_SOURCE removed the ready environment"

echo "test_bootstrap: 3. a second run reuses the environment"
start=$(now)
tools/suite.sh env 2>&1 | tee "$WORK/second-run.log" || fail "the second run failed"
second=$(($(now) - start))
grep -q "Using the Odoo 18.0 environment" "$WORK/second-run.log" ||
    fail "the second run did not reuse the environment"
grep -q "Odoo 18.0 runs with $ENV_PYTHON" "$WORK/second-run.log" ||
    fail "the second run does not run Odoo with the environment's Python"
[ "$second" -le "$REUSE_LIMIT" ] || fail "the second run took $second s (limit $REUSE_LIMIT s)"

echo "test_bootstrap: passed (first make test: $first s, environment reused in $second s)"
