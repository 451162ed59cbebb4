#!/usr/bin/env bash
# The recipe by hand, as a DBA would script it for PostgreSQL 15 on Debian: the baseline hotstandby is
# measured against (bench/run-bench.ts). Usage: handwritten-recipe.sh DIR PRIMARY_PORT STANDBY_PORTS [BINDIR]
# STANDBY_PORTS is a comma-separated list, one port per standby (5431 or 5431,5430,5429). Builds the primary and
# the standbys one after the other, verifies each, then stops everything (standbys first) and deletes DIR.
# Runs as root; the servers run as postgres. No error handling beyond set -e, no idempotence, no journal.
set -euo pipefail
dir=$1 p1=$2 ports=$3 bin=${4:-/usr/lib/postgresql/15/bin}
IFS=, read -r -a standby_ports <<< "$ports"
as_pg() { runuser -u postgres -- "$@"; }
mkdir -p "$dir" && chown postgres "$dir"
install -m 600 -o postgres /dev/null "$dir/pw" && echo secret > "$dir/pw"
as_pg "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" -A scram-sha-256 -E UTF8 --locale=C >/dev/null
cat >> "$dir/data/postgresql.auto.conf" <<CONF
port = '$p1'
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
wal_keep_size = '1024'
CONF
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/master.log" -w -s start
export PGPASSWORD=secret
psql -qX -h 127.0.0.1 -p "$p1" -U postgres -c "CREATE ROLE repuser REPLICATION LOGIN CONNECTION LIMIT ${#standby_ports[@]}0 PASSWORD 'repuser'"
sed -i '1i host replication repuser 127.0.0.1/32 scram-sha-256' "$dir/data/pg_hba.conf"
as_pg "$bin/pg_ctl" -D "$dir/data" -s reload
install -m 600 -o postgres /dev/null "$dir/pgpass" && echo "*:*:replication:repuser:repuser" > "$dir/pgpass"
psql -qX -h 127.0.0.1 -p "$p1" -U postgres -c "CREATE TABLE t(id int)"
i=0
for p2 in "${standby_ports[@]}"; do
  i=$((i + 1))
  as_pg env -u PGPASSWORD PGPASSFILE="$dir/pgpass" "$bin/pg_basebackup" -h 127.0.0.1 -p "$p1" -U repuser -D "$dir/data-slave$i" -X stream -C -S "slave$i" -c fast -R
  echo "port = '$p2'" >> "$dir/data-slave$i/postgresql.auto.conf"
  # (PGPASSWORD must not reach the standby's server: libpq would prefer it to the passfile for replication.)
  as_pg env -u PGPASSWORD "$bin/pg_ctl" -D "$dir/data-slave$i" -l "$dir/slave$i.log" -w -s start
  # Verify as the recipe does: a row written on the primary shows up on the standby; an INSERT there fails.
  psql -qX -h 127.0.0.1 -p "$p1" -U postgres -c "INSERT INTO t VALUES ($i)"
  lsn=$(psql -qXAt -h 127.0.0.1 -p "$p1" -U postgres -c "SELECT pg_current_wal_lsn()")
  timeout 60 bash -c "until [ \"\$(psql -qXAt -h 127.0.0.1 -p $p2 -U postgres -c \"SELECT pg_last_wal_replay_lsn() >= '$lsn'\")\" = t ]; do :; done"
  [ "$(psql -qXAt -h 127.0.0.1 -p "$p2" -U postgres -c 'SELECT count(*) FROM t')" = "$i" ]
  ! psql -qX -h 127.0.0.1 -p "$p2" -U postgres -c "INSERT INTO t VALUES (0)" 2>/dev/null
done
# Stop everything, standbys first, and delete what was made.
for ((j = i; j >= 1; j--)); do as_pg "$bin/pg_ctl" -D "$dir/data-slave$j" -m fast -w -s stop; done
as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -s stop
rm -rf "$dir"
