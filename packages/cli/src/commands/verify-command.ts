import type { Command } from 'commander';
import { isHotstandbyError } from '@hotstandby/core';
import type { VerifyReport } from '@hotstandby/plugin-verify';
import { openCluster, type CliContext } from '../cli-context.js';
import { formatBytes } from '../output/table.js';

// `hotstandby verify`: the recipe's checks on every standby; exits non-zero naming the check that failed.
export function registerVerify(program: Command, cli: CliContext): void {
  program
    .command('verify')
    .description('check every standby: in recovery, refuses writes, replays a new row, streams; measure the lag')
    .option('--json', 'print the verification report as JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { cluster } = await openCluster(cli, command);
      let report: unknown;
      try {
        report = await cluster.verify({ renderer: opts.json ? 'silent' : 'auto' });
      } catch (error) {
        if (opts.json && isHotstandbyError(error) && error.data) cli.out(JSON.stringify(error.data, null, 2));
        else if (isHotstandbyError(error) && error.data) cli.out(renderReport(error.data));
        throw error;
      }
      cli.out(opts.json ? JSON.stringify(report, null, 2) : renderReport(report));
    });
}

// True when data has the shape of the built-in verify step's report (a replacement step may return anything).
function isVerifyReport(data: unknown): data is VerifyReport {
  return typeof data === 'object' && data !== null && Array.isArray((data as VerifyReport).standbys) && typeof (data as VerifyReport).ok === 'boolean';
}

function renderReport(report: unknown): string {
  if (!isVerifyReport(report)) {
    const summary = (report as { summary?: unknown } | null)?.summary;
    return typeof summary === 'string' ? `Verified: ${summary}` : JSON.stringify(report, null, 2);
  }
  if (report.standbys.length === 0) return 'No standbys to verify.';
  const lines: string[] = [];
  for (const s of report.standbys) {
    lines.push(`${s.ok ? 'ok  ' : 'FAIL'} ${s.name} (from ${s.upstream}): replay lag ${formatBytes(s.replayLagBytes)}${s.replayLagSeconds != null ? `, ${s.replayLagSeconds.toFixed(3)} s` : ''}`);
    for (const c of s.checks) lines.push(`       ${c.ok ? '✔' : '✘'} ${c.name}: ${c.detail}`);
  }
  lines.push(report.ok ? `\nAll ${report.standbys.length} standby(s) verified.` : '\nVerification failed.');
  return lines.join('\n');
}
