#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on a loopback port for the store's tests and prints the URL to use as
# CONCORD_TEST_POSTGRES_URL. Usage: eval "$(scripts/start-test-postgres.sh)"; stop it with the printed command.
set -euo pipefail
PORT="${CONCORD_TEST_POSTGRES_PORT:-55432}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "echo 'PostgreSQL server binaries not found (apt-get install postgresql); PostgreSQL tests will be skipped' >&2"
  exit 0
fi
DATA="$(mktemp -d /tmp/concord-pg.XXXXXX)"
chmod 755 "$DATA"
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$DATA"
run_pg "'$BIN/initdb' -D '$DATA/data' -U postgres --auth=trust -E UTF8 >/dev/null"
run_pg "'$BIN/pg_ctl' -D '$DATA/data' -o \"-p $PORT -k '$DATA' -c listen_addresses=127.0.0.1 -c fsync=off\" -l '$DATA/log' -w start >/dev/null"
run_pg "'$BIN/createdb' -h 127.0.0.1 -p $PORT -U postgres concord_test"
echo "export CONCORD_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PORT/concord_test"
echo "export CONCORD_TEST_POSTGRES_STOP=\"$( [ "$(id -u)" = 0 ] && echo "su postgres -s /bin/bash -c" ) '$BIN/pg_ctl -D $DATA/data -m fast stop'\""
