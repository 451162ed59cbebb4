import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../packages/cli/bin/hotstandby.js');

// Run the hotstandby CLI as a user would, in the given directory, without npm's environment leaking in.
export async function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'INIT_CWD'));
  const result = await execa('node', [bin, ...args], { cwd, env: { ...clean, ...env }, extendEnv: false, reject: false, timeout: 540_000 });
  return { code: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
