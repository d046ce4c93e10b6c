# shellcheck shell=bash
# Sourced by tools/suite.sh. Finds the PostgreSQL server the suite will use and exports
# PGHOST, PGPORT and PGUSER for it:
#   1. the server named by PGHOST/PGPORT/PGUSER (defaults 127.0.0.1, 5432, the current user);
#   2. otherwise, when the PostgreSQL server binaries are installed, a private cluster under
#      .local/pgdata on a free port (started as an unprivileged user when run as root, because
#      PostgreSQL refuses to run as root);
#   3. otherwise it stops with one sentence saying what to install.

PG_PRIVATE_DIR="$ROOT/.local/pgdata"

pg_can_connect() {
    "$PYTHON" - "$1" "$2" "$3" <<'PY' 2>/dev/null
import sys
import psycopg2
host, port, user = sys.argv[1:4]
try:
    psycopg2.connect(host=host, port=int(port), user=user, dbname="postgres", connect_timeout=3).close()
except psycopg2.OperationalError as error:
    message = str(error)
    # A server that answers but refuses the role is reachable: report it, do not start another.
    sys.exit(2 if ("role" in message and "does not exist" in message) else 1)
PY
}

pg_server_bin() {
    local name=$1 found
    found=$(command -v "$name" 2>/dev/null) && { echo "$found"; return 0; }
    found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1)
    [ -n "$found" ] && echo "$found"
}

pg_free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_start_private() {
    local initdb pg_ctl port runas=()
    initdb=$(pg_server_bin initdb) && pg_ctl=$(pg_server_bin pg_ctl) || return 1
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses to run as root: the cluster belongs to the unprivileged user "nobody".
        runas=(runuser -u nobody --)
    fi
    mkdir -p "$PG_PRIVATE_DIR"
    [ ${#runas[@]} -eq 0 ] || chown nobody "$PG_PRIVATE_DIR"
    if [ ! -f "$PG_PRIVATE_DIR/PG_VERSION" ]; then
        echo "==> Creating a private PostgreSQL cluster in $PG_PRIVATE_DIR"
        "${runas[@]}" "$initdb" -D "$PG_PRIVATE_DIR" -U "$PGUSER" --auth=trust -E UTF8 --locale=C.UTF-8 >"$ROOT/.local/initdb.log" 2>&1 ||
            { echo "ERROR: initdb failed, see $ROOT/.local/initdb.log" >&2; return 1; }
    fi
    if [ -f "$PG_PRIVATE_DIR/suite.port" ]; then
        port=$(cat "$PG_PRIVATE_DIR/suite.port")
    else
        port=$(pg_free_port)
        echo "$port" >"$PG_PRIVATE_DIR/suite.port"
    fi
    if ! pg_can_connect 127.0.0.1 "$port" "$PGUSER"; then
        echo "==> Starting the private PostgreSQL cluster on 127.0.0.1:$port"
        "${runas[@]}" "$pg_ctl" -D "$PG_PRIVATE_DIR" -w -l "$PG_PRIVATE_DIR/server.log" \
            -o "-p $port -c listen_addresses=127.0.0.1 -k $PG_PRIVATE_DIR" start >/dev/null ||
            { echo "ERROR: the private PostgreSQL cluster did not start, see $PG_PRIVATE_DIR/server.log" >&2; return 1; }
    fi
    export PGHOST=127.0.0.1 PGPORT=$port
}

ensure_postgres() {
    export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$(id -un)}
    if [ "$PGUSER" = postgres ]; then
        echo "ERROR: Odoo refuses to connect as the PostgreSQL role 'postgres'; set PGUSER to another role (for example your login name, created with 'createuser -s $(id -un)')." >&2
        return 1
    fi
    local status=0
    pg_can_connect "$PGHOST" "$PGPORT" "$PGUSER" || status=$?
    case $status in
    0) echo "==> Using PostgreSQL at $PGHOST:$PGPORT as role $PGUSER" ;;
    2)
        echo "ERROR: PostgreSQL at $PGHOST:$PGPORT has no role '$PGUSER'; create it with 'createuser -s $PGUSER' (as the postgres user) or set PGUSER to an existing role." >&2
        return 1
        ;;
    *)
        if [ -f "$PG_PRIVATE_DIR/PG_VERSION" ] || [ -n "$(pg_server_bin initdb)" ]; then
            echo "==> No PostgreSQL server answers at $PGHOST:$PGPORT; using a private cluster instead"
            pg_start_private || return 1
        else
            echo "ERROR: no PostgreSQL server answers at $PGHOST:$PGPORT and the PostgreSQL server binaries (initdb, pg_ctl) are not installed: install PostgreSQL (for example 'apt install postgresql') or set PGHOST/PGPORT/PGUSER to a running server." >&2
            return 1
        fi
        ;;
    esac
}
