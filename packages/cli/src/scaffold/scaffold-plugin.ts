import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HotstandbyError, resolvePackage, scopeWords, STEP_NAME_PATTERN } from '@hotstandby/core';
import { BUILTIN_PLUGINS } from '@hotstandby/builtin-steps';
import { dependencySpecs, hotstandbySource, type HotstandbySource } from './hotstandby-source.js';
import { pluginFiles } from './plugin-files.js';

// What `plugin new` wrote.
export interface ScaffoldResult {
  dir: string;
  packageName: string;
  files: string[];
  // Where its @hotstandby dependencies come from (a checkout's directories, or the registry).
  source: HotstandbySource;
}

const here = path.dirname(fileURLToPath(import.meta.url));

// Write a new plugin package into dir (which must not exist or be empty); nothing is written on bad input.
export async function scaffoldPlugin(name: string, dir: string): Promise<ScaffoldResult> {
  if (!STEP_NAME_PATTERN.test(name)) {
    throw new HotstandbyError('PLUGIN_SCAFFOLD', `"${name}" is not a step name`, {
      fix: 'use lower-case letters and digits, words joined by "-", e.g. hotstandby plugin new seed-schema',
    });
  }
  refuseBuiltinName(name);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new HotstandbyError('PLUGIN_SCAFFOLD', `the directory ${dir} exists and is not empty; nothing was written`, {
      fix: 'choose another directory with --dir, or remove that one',
    });
  }
  const core = resolvePackage('@hotstandby/core', here);
  const source = hotstandbySource(core?.dir, core?.version ?? '0.1.0');
  const deps = dependencySpecs(source);
  const packageName = `hotstandby-plugin-${name}`;
  const files = pluginFiles({
    name,
    packageName,
    source,
    coreRange: deps.core,
    testingRange: deps.testing,
    vitestRange: '^4.1.0',
    typescriptRange: '~5.9.3',
    nodeTypesRange: '^20.19.0',
  });
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return { dir, packageName, files: Object.keys(files), source };
}

// The template is a primary step placed before base-backup: under a built-in's name it would replace that
// built-in (and a standby or cluster built-in cannot be replaced by a primary step), so such names are refused.
function refuseBuiltinName(name: string): void {
  const builtin = BUILTIN_PLUGINS.find((b) => b.plugin.name === name);
  if (!builtin) return;
  const { scope } = builtin.plugin;
  throw new HotstandbyError(
    'PLUGIN_SCAFFOLD',
    `"${name}" is the name of a built-in step (built-in steps: ${BUILTIN_PLUGINS.map((b) => b.plugin.name).join(', ')}); nothing was written`,
    {
      fix:
        `pick another name, e.g. hotstandby plugin new my-${name}. To replace the built-in ${name} instead, give your step the name "${name}" ` +
        `and its scope "${scope}" (it runs on ${scopeWords(scope)}): see "pipeline, disable and replacement" in docs/plugins.md`,
    },
  );
}
