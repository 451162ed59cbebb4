// Start-up of the bundled CLI the tests run (built like the published one): --version, --help and usage errors
// load only the files that hold commander and the command definitions; the engine's code is split into files
// that load when a command runs.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { CLI_BIN, cleanEnv } from './support/cli.js';

// Preloaded with --import: prints the URL of every file module Node loads to stderr, one "LOADED url" per line.
const LOG_LOADS = fileURLToPath(new URL('./support/log-module-loads.mjs', import.meta.url));
const BUNDLE_DIR = path.dirname(CLI_BIN);

// The bundle's output files (by name) that hold code of the engine or of its heavy dependencies, from the
// metafile esbuild wrote beside the bundle.
function engineFiles(): string[] {
  const meta = JSON.parse(readFileSync(path.join(BUNDLE_DIR, 'metafile.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const engine = /(^|\/)packages\/core\/src\/|\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(listr2|pg|zod|cosmiconfig|tsyringe|tar|execa|fs-extra)\//;
  return Object.entries(meta.outputs)
    .filter(([, output]) => Object.keys(output.inputs).some((input) => engine.test(input)))
    .map(([file]) => path.basename(file));
}

// The bundle's output files that hold zod's code.
function zodFiles(): string[] {
  const meta = JSON.parse(readFileSync(path.join(BUNDLE_DIR, 'metafile.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return Object.entries(meta.outputs)
    .filter(([, output]) => Object.keys(output.inputs).some((input) => /\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?zod\//.test(input)))
    .map(([file]) => path.basename(file));
}

async function loadedFiles(args: string[]): Promise<{ code: number; files: string[] }> {
  const result = await execa(process.execPath, ['--import', LOG_LOADS, CLI_BIN, ...args], { env: cleanEnv(), extendEnv: false, reject: false, encoding: 'utf8' });
  const files = String(result.stderr)
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => fileURLToPath(l.slice('LOADED '.length)))
    .filter((file) => path.dirname(file) === BUNDLE_DIR)
    .map((file) => path.basename(file));
  return { code: result.exitCode ?? -1, files };
}

describe('bundled hotstandby start-up', () => {
  test.each([[['--version']], [['--help']], [['up', '--help']], [['no-such-command']]])('%j loads none of the files holding the engine', async (args) => {
    const engine = engineFiles();
    expect(engine.length).toBeGreaterThan(0);
    const { code, files } = await loadedFiles(args);
    expect(code).toBe(args[0] === 'no-such-command' ? 2 : 0);
    expect(files).toContain(path.basename(CLI_BIN));
    expect(files.filter((f) => engine.includes(f))).toEqual([]);
  });

  test('a command that runs loads the engine', async () => {
    const { files } = await loadedFiles(['status', '--config', '/nonexistent/hotstandby.config.json']);
    expect(files.filter((f) => engineFiles().includes(f))).not.toEqual([]);
  });

  test('status loads zod to validate a config, and not again for the same config once its state directory exists', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotstandby-startup-status-'));
    try {
      const config = path.join(dir, 'hotstandby.config.json');
      writeFileSync(config, JSON.stringify({ primary: { port: 6543 }, standbys: [{ name: 'replica', port: 6544 }] }));
      mkdirSync(path.join(dir, '.hotstandby'));
      const zod = zodFiles();
      expect(zod.length).toBeGreaterThan(0);
      const first = await loadedFiles(['status', '--json', '--config', config]);
      expect(first.files.filter((f) => zod.includes(f))).not.toEqual([]);
      const again = await loadedFiles(['status', '--json', '--config', config]);
      expect(again.code).toBe(first.code);
      expect(again.files.filter((f) => engineFiles().includes(f))).not.toEqual([]);
      expect(again.files.filter((f) => zod.includes(f))).toEqual([]);
      // An edited config is validated again (and a bad one refused as before).
      writeFileSync(config, JSON.stringify({ primary: { port: 'five' } }));
      const edited = await loadedFiles(['status', '--json', '--config', config]);
      expect(edited.code).not.toBe(0);
      expect(edited.files.filter((f) => zod.includes(f))).not.toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the engine carries zod's English messages only, and z still validates and explains in English", async () => {
    const core = path.join(BUNDLE_DIR, 'hotstandby-core.js');
    const script = `const { z } = await import(${JSON.stringify(pathToFileURL(core).href)});
      console.log(JSON.stringify({ locales: Object.keys(z.locales), core: Object.keys(z.core.locales), message: z.string().safeParse(1).error.issues[0].message }));`;
    const result = await execa(process.execPath, ['--input-type=module', '-e', script], { env: cleanEnv(), extendEnv: false, encoding: 'utf8' });
    expect(JSON.parse(String(result.stdout))).toEqual({ locales: ['en'], core: ['en'], message: 'Invalid input: expected string, received number' });
    const meta = JSON.parse(readFileSync(path.join(BUNDLE_DIR, 'metafile.json'), 'utf8')) as { inputs: Record<string, unknown> };
    expect(Object.keys(meta.inputs).filter((input) => /zod\/v4\/locales\/(?!en\.js|index\.js)[^/]+$/.test(input))).toEqual([]);
  });
});
