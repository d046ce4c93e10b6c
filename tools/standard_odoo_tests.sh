#!/usr/bin/env bash
# Odoo's own account, sale and portal tests with and without the telecom suite (issue 16:
# "Standard Odoo keeps working"). Builds two fresh databases with demo data, runs the same
# test tags on both with Odoo's own runner and prints the failures and errors of each, so
# that a failure only the suite shows stands out.
#   tools/standard_odoo_tests.sh            # both databases, one after the other
# Variables: PYTHON, PGHOST/PGPORT/PGUSER, PLAIN_DB, SUITE_DB, HTTP_PORT, TAGS.
# HTTP test cases need the threaded server: the runs pass --workers=0 whatever odoo.conf says.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3}
PLAIN_DB=${PLAIN_DB:-std_plain}
SUITE_DB=${SUITE_DB:-std_suite}
HTTP_PORT=${HTTP_PORT:-8199}
TAGS=${TAGS:-/account,/sale,/portal}
# shellcheck source=tools/postgres.sh
source "$ROOT/tools/postgres.sh"
ensure_postgres
STD_ADDONS=$("$PYTHON" tools/check_odoo.py)
SUITE_MODULES=$(sed -n 's/^MODULES=//p' tools/suite.sh)

odoo() {
    "$PYTHON" tools/odoo_server.py -c odoo.conf --addons-path="$STD_ADDONS,$ROOT/addons" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" "$@"
}

run() {
    local db=$1 modules=$2 log=".local/standard-tests-$1.log"
    dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db"
    echo "==> $db: installing $modules"
    odoo -d "$db" -i "$modules" --stop-after-init --no-http --log-level=warn
    echo "==> $db: Odoo's tests $TAGS (log: $log)"
    odoo -d "$db" --workers=0 --max-cron-threads=0 --test-enable --test-tags "$TAGS" \
        --stop-after-init --http-port="$HTTP_PORT" --log-level=test >"$log" 2>&1 || true
    echo "    tests started: $(grep -ac ': Starting ' "$log")"
    grep -aE ' (ERROR|FAIL): ' "$log" | sed -E 's/.*(ERROR|FAIL): /    \1: /' | sort -u || true
}

run "$PLAIN_DB" sale_management,account,contacts,portal
run "$SUITE_DB" "sale_management,account,contacts,portal,$SUITE_MODULES"
