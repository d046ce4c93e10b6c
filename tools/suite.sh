#!/usr/bin/env bash
# What `make run` and `make test` do. See README.md.
#   tools/suite.sh run    install requirements, create or update the demo database, serve Odoo
#   tools/suite.sh test   install requirements, build a fresh database, run every test with pytest
#   tools/suite.sh env    only find Odoo and install requirements; say which Python runs Odoo
# Both first find Odoo 18.0: the one $PYTHON imports, else (or when ODOO_SOURCE is set) the
# project-local environment that tools/bootstrap_odoo.py builds under .local/odoo-18.0.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3}
DB=${DB:-telecom}
TEST_DB=${TEST_DB:-telecom_test}
HTTP_PORT=${HTTP_PORT:-8069}
# payment_demo: Odoo's demo payment provider (test mode only), which autopay's tests and demo
# charge; not a dependency of the telecom modules, so production databases never get it.
MODULES=telecom_catalog,telecom_numbers,telecom_billing,telecom_usage,telecom_migration,telecom_provisioning,telecom_regulatory,telecom_interconnect,telecom_interconnect_regulatory,telecom_file_channel,telecom_network,payment_demo
mkdir -p "$ROOT/.local"

# shellcheck source=tools/postgres.sh
source "$ROOT/tools/postgres.sh"

step() { echo "==> $*"; }

# Runs the command "$@", then says how long it took.
timed() {
    local start=${EPOCHREALTIME:-0}
    "$@"
    awk -v start="$start" -v end="${EPOCHREALTIME:-0}" 'BEGIN { printf "    done in %.1f s\n", end - start }'
}

# Sets PYTHON to the Python that runs Odoo 18.0 and STD_ADDONS to Odoo's standard addons: PYTHON
# itself when it imports Odoo 18.0 and ODOO_SOURCE is not set, otherwise the Python of the
# project-local environment (built on first use, reused afterwards).
find_odoo() {
    local status=0
    if [ -z "${ODOO_SOURCE:-}" ]; then
        STD_ADDONS=$("$PYTHON" tools/check_odoo.py --probe) || status=$?
        [ "$status" = 0 ] && return 0
        [ "$status" = 3 ] || exit "$status"
    fi
    PYTHON=$("$PYTHON" tools/bootstrap_odoo.py)
    STD_ADDONS=$("$PYTHON" tools/check_odoo.py)
}

install_requirements() {
    "$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements.txt
}

# What run and test do first, and all that `tools/suite.sh env` does: find (or set up) Odoo 18.0
# and install the suite's requirements.
cmd_env() {
    step "Finding Odoo 18.0"
    timed find_odoo
    step "Installing Python requirements (requirements.txt)"
    timed install_requirements
    echo "Odoo 18.0 runs with $PYTHON (standard addons: $STD_ADDONS)"
}

prepare() {
    cmd_env
    ensure_postgres
    ADDONS_PATH="$STD_ADDONS,$ROOT/addons"
    DB_ARGS=(--db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER")
}

odoo_cmd() {
    "$PYTHON" "$ROOT/tools/odoo_server.py" -c "$ROOT/odoo.conf" --addons-path="$ADDONS_PATH" "${DB_ARGS[@]}" "$@"
}

# Prints "installed" when the database exists and holds the suite, "empty" when it exists
# without it, "absent" otherwise; with "drop" as second argument, drops the database.
database() {
    "$PYTHON" - "$1" "${2:-}" <<'PY'
import os, sys
import psycopg2
name, action = sys.argv[1], sys.argv[2]
conn = psycopg2.connect(dbname="postgres", host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER"])
conn.autocommit = True
with conn.cursor() as cr:
    if action == "drop":
        cr.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        sys.exit(0)
    cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if not cr.fetchone():
        print("absent"); sys.exit(0)
db = psycopg2.connect(dbname=name, host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER"])
with db.cursor() as cr:
    cr.execute("SELECT to_regclass('ir_module_module') IS NOT NULL")
    if not cr.fetchone()[0]:
        print("empty"); sys.exit(0)
    cr.execute("SELECT count(*) FROM ir_module_module WHERE name LIKE 'telecom\\_%%' AND state = 'installed'")
    print("installed" if cr.fetchone()[0] else "empty")
PY
}

# Prints the modules of $MODULES not installed in database $1 (comma-separated).
missing_modules() {
    "$PYTHON" - "$1" "$MODULES" <<'PY'
import os, sys
import psycopg2
db, modules = sys.argv[1], sys.argv[2].split(",")
conn = psycopg2.connect(dbname=db, host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER"])
with conn.cursor() as cr:
    cr.execute("SELECT name FROM ir_module_module WHERE name = ANY(%s) AND state = 'installed'", [modules])
    installed = {row[0] for row in cr.fetchall()}
print(",".join(m for m in modules if m not in installed))
PY
}

check_installed() {
    local db=$1 missing
    missing=$(missing_modules "$db")
    if [ -n "$missing" ]; then
        echo "ERROR: these modules did not install in database '$db': $missing (see the log above)." >&2
        exit 1
    fi
}

cmd_run() {
    prepare
    case $(database "$DB") in
    installed)
        step "Updating the telecom modules in database '$DB'"
        odoo_cmd -d "$DB" -u "$MODULES" --stop-after-init --no-http
        # modules of the suite added since the database was built
        local missing
        missing=$(missing_modules "$DB")
        if [ -n "$missing" ]; then
            step "Installing the telecom modules new to database '$DB': $missing"
            odoo_cmd -d "$DB" -i "$missing" --stop-after-init --no-http
        fi
        ;;
    *)
        step "Creating database '$DB' with the telecom modules and their demo data"
        odoo_cmd -d "$DB" -i "$MODULES" --stop-after-init --no-http
        ;;
    esac
    check_installed "$DB"
    step "Starting Odoo on http://127.0.0.1:$HTTP_PORT (log in as admin / admin; Ctrl+C stops it)"
    exec "$PYTHON" "$ROOT/tools/odoo_server.py" -c "$ROOT/odoo.conf" --addons-path="$ADDONS_PATH" "${DB_ARGS[@]}" \
        -d "$DB" --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$HTTP_PORT"
}

# Debian package $2 when none of the commands $3... is found and we may use apt; otherwise say
# what is missing ($1: what needs it). Portal tours run in headless Chromium (Odoo's
# HttpCase.start_tour); PDF reports (the CPNI certification) are printed by wkhtmltopdf.
ensure_debian_tool() {
    local why=$1 package=$2 command
    shift 2
    for command in "$@"; do
        command -v "$command" >/dev/null && return 0
    done
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        step "Installing Debian's $package for $why"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >"$ROOT/.local/apt-$package.log" 2>&1 ||
            { echo "ERROR: could not install $package, see $ROOT/.local/apt-$package.log" >&2; exit 1; }
    else
        echo "ERROR: $why need the program $package: install Debian's '$package' package." >&2
        exit 1
    fi
}

cmd_test() {
    prepare
    ensure_debian_tool "the browser tests" chromium google-chrome chromium chromium-browser google-chrome-stable
    ensure_debian_tool "the PDF reports" wkhtmltopdf wkhtmltopdf
    step "Creating a fresh database '$TEST_DB' with the telecom modules and their demo data"
    database "$TEST_DB" drop
    odoo_cmd -d "$TEST_DB" -i "$MODULES" --stop-after-init --no-http --log-level=warn
    check_installed "$TEST_DB"
    step "Running the tests (addons/*/tests and tests/)"
    local rc=0
    "$PYTHON" -m pytest -p no:cacheprovider \
        --odoo-config="$ROOT/odoo.conf" --odoo-addons-path="$ADDONS_PATH" --odoo-database="$TEST_DB" \
        --odoo-extra "db_host=$PGHOST" --odoo-extra "db_port=$PGPORT" --odoo-extra "db_user=$PGUSER" \
        --odoo-extra "http-port=$HTTP_PORT" --odoo-http --junitxml="$ROOT/.local/test-results.xml" "$@" addons/*/tests tests || rc=$?
    if [ "$rc" = 5 ]; then
        echo "ERROR: pytest collected no tests: the test command or the test folders are broken." >&2
    fi
    exit "$rc"
}

case ${1:-} in
run) shift; cmd_run "$@" ;;
test) shift; cmd_test "$@" ;;
env) cmd_env ;;
*) echo "usage: tools/suite.sh run|test [pytest arguments]|env" >&2; exit 2 ;;
esac
