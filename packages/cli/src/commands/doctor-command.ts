import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context.js';

// `hotstandby doctor`: what this machine and cluster look like, each finding an ok line or a fix-this line.
export function registerDoctor(program: Command, cli: CliContext): void {
  program
    .command('doctor')
    .description("explain the machine: binaries, OS user, ports, directories, and the primary's replication settings")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { loadConfig, runDoctor } = await import('@hotstandby/core');
      const spec = await loadConfig({ configPath: globals.config, cwd: cli.cwd });
      const report = await runDoctor(spec);
      if (opts.json) cli.out(JSON.stringify(report, null, 2));
      else {
        for (const c of report.checks) {
          const mark = c.status === 'ok' ? 'ok  ' : c.status === 'warn' ? 'note' : 'FIX ';
          cli.out(`${mark} ${c.check}: ${c.detail}`);
          if (c.fix && c.status !== 'ok') cli.out(`     → ${c.fix}`);
        }
        cli.out(report.ok ? '\nNothing to fix.' : '\nSome things need fixing (lines marked FIX).');
      }
      if (!report.ok) cli.exitCode = 1;
    });
}
