import path from 'node:path';
import type { Command } from 'commander';
import type { NodeHostSpec } from '@hotstandby/core';
import { openCommandCluster, type CliContext } from '../cli-context.js';
import { DRY_RUN_HELP, printPlan } from './dry-run-option.js';
import { parsePortOption } from './port-option.js';
import { pipelineRunOptions, withPipelineOptions, type PipelineFlags } from './pipeline-options.js';
import { collectWarnings, printJson } from '../output/json-output.js';
import type { RemoveStandbyJson, StandbyBuildJson } from '../output/json-types.js';

// What add-standby's options parse into.
type AddStandbyFlags = PipelineFlags & {
  port?: string;
  dataDir?: string;
  upstream?: string;
  synchronous?: boolean;
  applyDelay?: string;
  dryRun?: boolean;
  host?: string;
  sshUser?: string;
  sshPort?: string;
  identityFile?: string;
  sshOption?: string[];
};

// `add-standby` and `remove-standby`: change the set of standbys of a running cluster.
export function registerStandbyCommands(program: Command, cli: CliContext): void {
  withPipelineOptions(
    program
      .command('add-standby')
      .description('add a standby to the running cluster (remembered in the state), build, start and verify it')
      .argument('<name>', 'name of the new standby')
      .option('--port <port>', 'its port (default: a free one)')
      .option('--data-dir <dir>', 'its data directory (default: <stateDir>/data/<name>)')
      .option('--upstream <node>', 'stream from this node (default: the primary)')
      .option('--synchronous', 'list it in synchronous_standby_names')
      .option('--apply-delay <delay>', 'apply WAL this long after commit, e.g. 5min')
      .option('--host <host>', 'put it on this host, reached over SSH (needs --data-dir, an absolute path there)')
      .option('--ssh-user <user>', 'with --host: the account to log in as')
      .option('--ssh-port <port>', 'with --host: the SSH port')
      .option('--identity-file <file>', 'with --host: the private key to log in with')
      .option('--ssh-option <Key=Value>', 'with --host: an extra ssh option (repeatable)', (value: string, all: string[] = []) => [...all, value])
      .option('--dry-run', "print what up would do to build it (up's dry run with it in the cluster), and change nothing (with --json: the plan as JSON)"),
  ).action(async (name: string, opts: AddStandbyFlags, command: Command) => {
    const port = opts.port === undefined ? undefined : parsePortOption(command, opts.port);
    if (opts.applyDelay !== undefined && !/^\d+\s*(ms|s|min|h|d)?$/.test(opts.applyDelay))
      command.error(`error: --apply-delay must be like 5min, 30s or 1h (got "${opts.applyDelay}")`, { exitCode: 2 });
    const host = hostOption(command, cli, opts);
    const { cluster } = await openCommandCluster(cli, command);
    const standby = {
      port,
      // On another host the directory is a path there, taken as given.
      dataDir: opts.dataDir ? (host ? opts.dataDir : path.resolve(cli.cwd, opts.dataDir)) : undefined,
      ...(host ? { host } : {}),
      upstream: opts.upstream,
      synchronous: opts.synchronous,
      applyDelay: opts.applyDelay,
    };
    if (opts.dryRun && opts.json) return printPlan(cli, await cluster.describePlan('add-standby', { args: [name], standby }), true);
    const warnings: string[] = [];
    const result = await cluster.addStandby({ name, ...standby }, { ...pipelineRunOptions(cli, opts, warnings), signal: cli.signal, dryRun: opts.dryRun });
    const node = result.status?.nodes.find((n) => n.name === name);
    if (opts.json) return printJson(cli, { standby: name, node: node ?? null, up: result, warnings } satisfies StandbyBuildJson);
    if (result.dryRun) return cli.out(`\nDry run complete: the changes above would add ${name}; nothing was changed.`);
    cli.out(`\n${name} is ${node?.state ?? 'up'} on port ${node?.port}, streaming from ${node?.upstream}.`);
  });
  withPipelineOptions(
    program
      .command('rebuild')
      .description('build a standby again from a fresh base backup (its slot was lost, or its data diverged)')
      .argument('<name>', 'the standby')
      .option('--dry-run', DRY_RUN_HELP),
  ).action(async (name: string, opts: PipelineFlags & { dryRun?: boolean }, command: Command) => {
    const { cluster } = await openCommandCluster(cli, command);
    if (opts.dryRun) return printPlan(cli, await cluster.describePlan('rebuild', { args: [name] }), opts.json);
    const warnings: string[] = [];
    const result = await cluster.rebuildStandby(name, { ...pipelineRunOptions(cli, opts, warnings), signal: cli.signal });
    const node = result.status?.nodes.find((n) => n.name === name);
    if (opts.json) return printJson(cli, { standby: name, node: node ?? null, up: result, warnings } satisfies StandbyBuildJson);
    cli.out(`\n${name} was rebuilt from a new base backup: ${node?.state ?? 'up'}, streaming from ${node?.upstream}.`);
  });
  program
    .command('remove-standby')
    .description('take a standby out: out of synchronous_standby_names, stopped, its slot dropped')
    .argument('<name>', 'the standby')
    .option('--purge', 'also delete its data directory, if hotstandby created it')
    .option('--dry-run', DRY_RUN_HELP)
    .option('--json', 'print what was deleted and kept as JSON (with --dry-run: the plan)')
    .action(async (name: string, opts: { purge?: boolean; json?: boolean; dryRun?: boolean }, command: Command) => {
      const { cluster } = await openCommandCluster(cli, command);
      if (opts.dryRun) return printPlan(cli, await cluster.describePlan('remove-standby', { args: [name], purge: opts.purge }), opts.json);
      const warnings: string[] = [];
      const result = await cluster.removeStandby(name, { purge: opts.purge, log: opts.json ? collectWarnings(warnings) : (l) => cli.out(l) });
      if (opts.json) return printJson(cli, { standby: name, ...result, warnings } satisfies RemoveStandbyJson);
      for (const kept of result.kept) cli.out(`kept ${kept}`);
      cli.out(`${name} is no longer part of the cluster.`);
    });
}

// The host of --host and its ssh options; the ssh options without --host are a usage error.
function hostOption(command: Command, cli: CliContext, opts: AddStandbyFlags): NodeHostSpec | undefined {
  const sshGiven = opts.sshUser !== undefined || opts.sshPort !== undefined || opts.identityFile !== undefined || (opts.sshOption ?? []).length > 0;
  if (!opts.host) {
    if (sshGiven) command.error('error: --ssh-user, --ssh-port, --identity-file and --ssh-option go with --host', { exitCode: 2 });
    return undefined;
  }
  if (!/^[A-Za-z0-9_.:%-]+$/.test(opts.host)) command.error(`error: --host must be a host name or address (got "${opts.host}")`, { exitCode: 2 });
  const bad = (opts.sshOption ?? []).find((o) => !/^[A-Za-z]+=.+$/.test(o));
  if (bad !== undefined) command.error(`error: --ssh-option must be Key=Value (got "${bad}")`, { exitCode: 2 });
  return {
    host: opts.host,
    ...(opts.sshUser ? { user: opts.sshUser } : {}),
    ...(opts.sshPort ? { port: parsePortOption(command, opts.sshPort) } : {}),
    ...(opts.identityFile ? { identityFile: path.resolve(cli.cwd, opts.identityFile) } : {}),
    ...(opts.sshOption?.length ? { options: opts.sshOption } : {}),
  };
}
