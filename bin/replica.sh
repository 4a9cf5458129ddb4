#!/usr/bin/env bash
# A streaming read replica of a local PostgreSQL cluster, on the same machine, for `make test-replica`
# (CI) and for trying REPORTS_DATABASE_URL by hand:
#
#   bin/replica.sh start     # base backup of the primary, start it on REPLICA_PORT, wait until streaming
#   bin/replica.sh stop      # stop it and delete its data directory
#
# The primary is PRIMARY_HOST:PRIMARY_PORT (127.0.0.1:5432) reached as PRIMARY_USER (tiepdan, a
# superuser, whose password is PGPASSWORD) over a replication connection: Debian's default pg_hba.conf
# allows it from 127.0.0.1 with a password, and wal_level = replica is PostgreSQL's default, so the
# primary needs no change and no restart. No replication slot: nothing is kept on the primary once the
# replica is gone. The replica lives in REPLICA_DIR (/tmp/tiepdan-replica), owned by the postgres user
# when run as root (PostgreSQL refuses to run as root).
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PRIMARY_USER=${PRIMARY_USER:-tiepdan}
export PGPASSWORD=${PGPASSWORD:-tiepdan}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/tmp/tiepdan-replica}
REPLICA_NAME=${REPLICA_NAME:-tiepdan_replica}
DEADLINE_SECONDS=${DEADLINE_SECONDS:-30}

PG_BIN=${PG_BIN:-/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -1)/bin}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- env PGPASSWORD="$PGPASSWORD" "$@"; else "$@"; fi
}

primary_sql() {
  "$PG_BIN/psql" -X -qAt -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -d postgres -c "$1"
}

replica_sql() {
  "$PG_BIN/psql" -X -qAt -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PRIMARY_USER" -d postgres -c "$1"
}

stop() {
  if [ -f "$REPLICA_DIR/postmaster.pid" ]; then
    as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null
  fi
  rm -rf "$REPLICA_DIR"
}

start() {
  stop
  mkdir -p "$REPLICA_DIR"
  chmod 0700 "$REPLICA_DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$REPLICA_DIR"

  # -R: standby.signal and primary_conninfo; -X stream: the WAL written during the copy comes along.
  as_owner "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" \
    -D "$REPLICA_DIR" -R -X stream -c fast --no-sync

  # A hot standby needs these at least as high as on the primary.
  local settings=""
  for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
    max_locks_per_transaction; do
    settings+="$name = $(primary_sql "SHOW $name")"$'\n'
  done
  # Later lines win over a postgresql.conf the backup may have copied (a Debian cluster keeps its
  # configuration in /etc, so usually there is none). cluster_name names the replica's WAL receiver in
  # the primary's pg_stat_replication.
  as_owner tee -a "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$REPLICA_DIR'
cluster_name = '$REPLICA_NAME'
hot_standby = on
hot_standby_feedback = on
shared_buffers = 32MB
random_page_cost = 1.1
jit = off
$settings
EOF
  as_owner tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
local all all peer
host all all 127.0.0.1/32 scram-sha-256
EOF
  as_owner touch "$REPLICA_DIR/pg_ident.conf"
  as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/server.log" -w -t "$DEADLINE_SECONDS" start \
    >/dev/null

  local deadline=$((SECONDS + DEADLINE_SECONDS))
  until [ "$(primary_sql "SELECT state FROM pg_stat_replication WHERE application_name = '$REPLICA_NAME'")" \
    = streaming ] && [ "$(replica_sql "SELECT pg_is_in_recovery()")" = t ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "the replica on port $REPLICA_PORT is not streaming after ${DEADLINE_SECONDS}s:" >&2
      tail -20 "$REPLICA_DIR/server.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "replica of $PRIMARY_HOST:$PRIMARY_PORT streaming on 127.0.0.1:$REPLICA_PORT ($REPLICA_DIR)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
