#!/usr/bin/env bash
# `pnpm release:dry`: everything a release does short of publishing. Builds, packs every publishable package as
# `pnpm publish` would (workspace: ranges rewritten, publishConfig applied), and checks each tarball: publint
# (package.json fields against the files shipped, --strict) and Are the Types Wrong (the declarations resolve for
# TypeScript's node16/bundler resolution; the packages are ES modules only). Ends with the changesets release plan.
# Changes nothing in the repository; the tarballs go to a temporary directory that is removed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
out="$(mktemp -d /tmp/hotstandby-release-dry.XXXXXX)"
trap 'rm -rf "$out"' EXIT

pnpm build
pnpm --filter './packages/*' --filter './plugins/*' -r pack --pack-destination "$out" >/dev/null
for tarball in "$out"/*.tgz; do
  echo "== $(basename "$tarball")"
  pnpm exec publint run "$tarball" --strict
  pnpm exec attw "$tarball" --profile esm-only --format table-flipped
done
pnpm exec changeset status --verbose
