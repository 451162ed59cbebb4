import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { PlanRequest, RunbookFormat } from '@hotstandby/core';
import { openCommandCluster, type CliContext } from '../cli-context.js';
import { VERSION } from '../version.js';
import { parseStopMode } from './stop-mode.js';
import { parsePortOption } from './port-option.js';

const FORMATS: readonly RunbookFormat[] = ['md', 'sh', 'cmd'];

// `runbook <command> [args...]`: the plan `<command> --dry-run` shows, written as a document a DBA can follow by
// hand (Markdown) or as a script (POSIX sh, Windows cmd). Flags of the planned command go after `--`.
export function registerRunbook(program: Command, cli: CliContext): void {
  program
    .command('runbook')
    .description(
      'write the plan of a command (up, add-standby, promote, switchover, rejoin, remove-standby, rebuild, start, stop, restart, down) as a runbook to follow by hand, or as a sh/cmd script',
    )
    .argument('<command>', 'the command to plan, e.g. switchover')
    .argument('[args...]', 'its arguments; its own flags after -- (runbook promote s1 -- --force)')
    .option('--format <format>', 'md (numbered steps for people), sh (POSIX script) or cmd (Windows script)', parseFormat, 'md' as RunbookFormat)
    .option('-o, --output <file>', 'write it to this file (atomically) instead of printing it')
    .option('--force', 'replace the output file when it exists')
    .addHelpText('after', '\nThe runbook reflects the cluster as it is when written; write it again after anything changes.')
    .action(async (planned: string, args: string[], opts: { format: RunbookFormat; output?: string; force?: boolean }, command: Command) => {
      const { spec, cluster } = await openCommandCluster(cli, command);
      const generatedBy = `Written by hotstandby ${VERSION} at ${new Date().toISOString()} for ${spec.source.path ?? 'the built-in config'}, from the cluster as it was then.`;
      const request = planRequest(planned, args, command, cli.cwd);
      const text = await cluster.runbook(planned, request, { format: opts.format, generatedBy });
      if (!opts.output) return cli.out(text.trimEnd());
      const { writeNewFile } = await import('@hotstandby/core');
      const file = path.resolve(cli.cwd, opts.output);
      await writeNewFile(file, text, { mode: opts.format === 'md' ? 0o644 : 0o755, replace: opts.force ?? false });
      cli.out(`Wrote the ${opts.format} runbook of "hotstandby ${[planned, ...args].join(' ')}" to ${file}`);
    });
}

// The planned command's arguments and its own flags (--force, --purge, --restore, --mode M; add-standby's --upstream
// U, --port P, --data-dir D, --synchronous; lag's --pause, --resume, --delay D); a scripts directory and a data
// directory are resolved against the directory the user runs hotstandby in, as the commands do.
function planRequest(planned: string, args: readonly string[], command: Command, cwd: string): PlanRequest {
  const request: PlanRequest & { args: string[]; standby: NonNullable<PlanRequest['standby']> } = { args: [], force: false, purge: false, restore: false, standby: {} };
  const value = (flag: string, i: number): string => {
    const given = args[i];
    if (given === undefined || given.startsWith('--')) command.error(`error: the planned command's flag ${flag} needs a value`, { exitCode: 2 });
    return given;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--upstream') request.standby.upstream = value(arg, ++i);
    else if (arg === '--data-dir') request.standby.dataDir = path.resolve(cwd, value(arg, ++i));
    else if (arg === '--port') request.standby.port = parsePortOption(command, value(arg, ++i));
    else if (arg === '--synchronous') request.standby.synchronous = true;
    else if (arg === '--force') request.force = true;
    else if (arg === '--purge') request.purge = true;
    else if (arg === '--restore') request.restore = true;
    else if (arg === '--mode') request.mode = parseStopMode(command, args[++i]);
    else if (arg === '--pause') request.lag = { pause: true };
    else if (arg === '--resume') request.lag = { resume: true };
    else if (arg === '--delay') request.lag = { delay: value(arg, ++i) };
    else if (arg.startsWith('--'))
      command.error(
        `error: the planned command's flag ${arg} is not one a runbook knows (--force, --purge, --restore, --mode M, --upstream U, --port P, --data-dir D, --synchronous, --pause, --resume, --delay D)`,
        { exitCode: 2 },
      );
    else request.args.push(planned === 'scripts' ? path.resolve(cwd, arg) : arg);
  }
  return request;
}

function parseFormat(value: string): RunbookFormat {
  if (!(FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`choose one of ${FORMATS.join(', ')}`);
  return value as RunbookFormat;
}
