import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HotstandbyError, resolvePackage, STEP_NAME_PATTERN } from '@hotstandby/core';
import { pluginFiles } from './plugin-files.js';

// What `plugin new` wrote.
export interface ScaffoldResult {
  dir: string;
  packageName: string;
  files: string[];
}

const here = path.dirname(fileURLToPath(import.meta.url));

// Write a new plugin package into dir (which must not exist or be empty); nothing is written on bad input.
export async function scaffoldPlugin(name: string, dir: string): Promise<ScaffoldResult> {
  if (!STEP_NAME_PATTERN.test(name)) {
    throw new HotstandbyError('PLUGIN_SCAFFOLD', `"${name}" is not a step name`, {
      fix: 'use lower-case letters and digits, words joined by "-", e.g. hotstandby plugin new seed-schema',
    });
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new HotstandbyError('PLUGIN_SCAFFOLD', `the directory ${dir} exists and is not empty; nothing was written`, {
      fix: 'choose another directory with --dir, or remove that one',
    });
  }
  const version = resolvePackage('@hotstandby/core', here)?.version ?? '0.1.0';
  const packageName = `hotstandby-plugin-${name}`;
  const files = pluginFiles({
    name,
    packageName,
    hotstandbyRange: `^${version}`,
    vitestRange: '^4.1.0',
    typescriptRange: '~5.9.3',
    nodeTypesRange: '^20.19.0',
  });
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return { dir, packageName, files: Object.keys(files) };
}
