#!/usr/bin/env bash
# A throwaway PostgreSQL for tests, listening on 127.0.0.1 only, trust auth.
#
#   scripts/postgres-throwaway.sh start DIR PORT   # prints postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/postgres-throwaway.sh stop DIR
#
# Both are idempotent: `start` on a running cluster only prints its URL, `stop`
# on a stopped or missing one does nothing. DIR is created if missing; its
# parents must be traversable by the postgres user. Run as root (the server
# then runs as `postgres`) or as the user who owns DIR.
# PG_BIN overrides the PostgreSQL binary directory (default: newest under
# /usr/lib/postgresql).
set -euo pipefail

usage() { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }

pg_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
    local b
    b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$b" ]] || { echo "postgres-throwaway: no PostgreSQL under /usr/lib/postgresql (set PG_BIN)" >&2; exit 1; }
    echo "$b"
}

# Runs a command as the cluster's owner.
as_owner() {
    if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { as_owner "$B/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

cmd=${1:-}; DIR=${2:-}
[[ -n "$cmd" && -n "$DIR" ]] || usage
B=$(pg_bin)

case "$cmd" in
start)
    PORT=${3:-}; [[ "$PORT" =~ ^[0-9]+$ ]] || usage
    mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
    [[ $EUID -eq 0 ]] && chown postgres "$DIR"
    if [[ ! -f "$DIR/data/PG_VERSION" ]]; then
        as_owner "$B/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
            || { cat "$DIR/initdb.log" >&2; exit 1; }
    fi
    if ! running; then
        as_owner "$B/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR" start >/dev/null \
            || { tail -n 20 "$DIR/log" >&2; exit 1; }
    fi
    # The port the server actually listens on (line 4 of postmaster.pid), in
    # case it was already running on another one.
    PORT=$(sed -n 4p "$DIR/data/postmaster.pid")
    echo "postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
stop)
    [[ -d "$DIR/data" ]] || exit 0
    if running; then as_owner "$B/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null; fi
    ;;
*) usage ;;
esac
