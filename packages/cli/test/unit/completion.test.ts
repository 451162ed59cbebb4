import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { DependencyContainer } from '@hotstandby/core';
import { runCli } from '../../src/main.js';

// The script `hotstandby completion SHELL` prints, as a user gets it.
async function script(shell: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['completion', shell], { container: {} as DependencyContainer, cwd: process.cwd(), out: (t) => void out.push(t), err: (t) => void err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

// What bash offers for the command line `words` (the cursor on the last word), with the bash script sourced.
function bashCompletes(bashScript: string, words: readonly string[]): string[] {
  const program = [
    bashScript,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_hotstandby_completion',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return execFileSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8', cwd: '/' }).split('\n').filter(Boolean).sort();
}

describe('hotstandby completion', () => {
  it("bash completes command names, subcommands, each command's options and fixed values", async () => {
    const { code, out } = await script('bash');
    expect(code).toBe(0);
    expect(bashCompletes(out, ['hotstandby', ''])).toEqual(expect.arrayContaining(['up', 'status', 'switchover', 'pg', 'plugin', 'completion']));
    expect(bashCompletes(out, ['hotstandby', 'sw'])).toEqual(['switchover']);
    expect(bashCompletes(out, ['hotstandby', 're'])).toEqual(['rebuild', 'rejoin', 'remove-standby', 'restart']);
    expect(bashCompletes(out, ['hotstandby', 'pg', ''])).toEqual(['install', 'list']);
    // A command's own options and the program's global ones; not another command's.
    expect(bashCompletes(out, ['hotstandby', 'stop', '--'])).toEqual(['--config', '--dry-run', '--help', '--json', '--mode', '--timeout', '--verbose', '--version'].sort());
    expect(bashCompletes(out, ['hotstandby', 'up', '--d'])).toEqual(['--dry-run']);
    expect(bashCompletes(out, ['hotstandby', 'pg', 'install', '--'])).toEqual(expect.arrayContaining(['--json']));
    // A global option's value is not taken for a command name.
    expect(bashCompletes(out, ['hotstandby', '--config', 'c.json', 'add-standby', '--up'])).toEqual(['--upstream']);
    expect(bashCompletes(out, ['hotstandby', 'completion', ''])).toEqual(['bash', 'fish', 'zsh']);
  });

  it('zsh loads the same function through its bash completion emulation; fish gets its own complete lines', async () => {
    const zsh = await script('zsh');
    expect(zsh.code).toBe(0);
    expect(zsh.out).toMatch(/^#compdef hotstandby\nautoload -U \+X bashcompinit && bashcompinit\n/);
    expect(zsh.out).toContain('complete -o filenames -F _hotstandby_completion hotstandby');
    const fish = await script('fish');
    expect(fish.code).toBe(0);
    expect(fish.out).toContain("complete -c hotstandby -n '__fish_use_subcommand' -a 'switchover'");
    expect(fish.out).toContain("complete -c hotstandby -n '__fish_seen_subcommand_from pg; and not __fish_seen_subcommand_from list install' -a 'install'");
    expect(fish.out).toMatch(/^complete -c hotstandby -n '__fish_seen_subcommand_from stop' -l mode -r -F -d /m);
  });

  it('refuses a shell it has no script for as bad usage', async () => {
    const { code, err } = await script('powershell');
    expect(code).toBe(2);
    expect(err).toContain("'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.");
  });
});
