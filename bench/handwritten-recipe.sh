#!/usr/bin/env bash
# The recipe by hand, as a DBA would script it for PostgreSQL 15 on Debian: the baseline hotstandby is
# measured against (bench/run-bench.ts). Usage: handwritten-recipe.sh DIR PRIMARY_PORT STANDBY_PORT [BINDIR]
# Runs as root; the servers run as postgres. No error handling beyond set -e, no idempotence, no journal.
set -euo pipefail
dir=$1 p1=$2 p2=$3 bin=${4:-/usr/lib/postgresql/15/bin}
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
psql -qX -h 127.0.0.1 -p "$p1" -U postgres -c "CREATE ROLE repuser REPLICATION LOGIN CONNECTION LIMIT 3 PASSWORD 'repuser'"
sed -i '1i host replication repuser 127.0.0.1/32 scram-sha-256' "$dir/data/pg_hba.conf"
as_pg "$bin/pg_ctl" -D "$dir/data" -s reload
install -m 600 -o postgres /dev/null "$dir/pgpass" && echo "*:*:replication:repuser:repuser" > "$dir/pgpass"
as_pg env -u PGPASSWORD PGPASSFILE="$dir/pgpass" "$bin/pg_basebackup" -h 127.0.0.1 -p "$p1" -U repuser -D "$dir/data-slave1" -X stream -C -S slave1 -c fast -R
echo "port = '$p2'" >> "$dir/data-slave1/postgresql.auto.conf"
# (PGPASSWORD must not reach the standby's server: libpq would prefer it to the passfile for replication.)
as_pg env -u PGPASSWORD "$bin/pg_ctl" -D "$dir/data-slave1" -l "$dir/slave1.log" -w -s start
# Verify as the recipe does: a row written on the primary shows up on the standby; an INSERT there fails.
psql -qX -h 127.0.0.1 -p "$p1" -U postgres -c "CREATE TABLE t(id int); INSERT INTO t VALUES (1)"
lsn=$(psql -qXAt -h 127.0.0.1 -p "$p1" -U postgres -c "SELECT pg_current_wal_lsn()")
timeout 60 bash -c "until [ \"\$(psql -qXAt -h 127.0.0.1 -p $p2 -U postgres -c \"SELECT pg_last_wal_replay_lsn() >= '$lsn'\")\" = t ]; do :; done"
[ "$(psql -qXAt -h 127.0.0.1 -p "$p2" -U postgres -c 'SELECT count(*) FROM t')" = 1 ]
! psql -qX -h 127.0.0.1 -p "$p2" -U postgres -c "INSERT INTO t VALUES (2)" 2>/dev/null
