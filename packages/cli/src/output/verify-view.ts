import type { VerifyReport } from '@hotstandby/plugin-verify';
import { formatBytes } from '@hotstandby/core';

// True when data has the shape of the built-in verify step's report (a replacement step may return anything).
function isVerifyReport(data: unknown): data is VerifyReport {
  return typeof data === 'object' && data !== null && Array.isArray((data as VerifyReport).standbys) && typeof (data as VerifyReport).ok === 'boolean';
}

// The verify report for people: a line per standby with its lag, a line per check, and the verdict.
export function renderReport(report: unknown): string {
  if (!isVerifyReport(report)) {
    const summary = (report as { summary?: unknown } | null)?.summary;
    return typeof summary === 'string' ? `Verified: ${summary}` : JSON.stringify(report, null, 2);
  }
  if (report.standbys.length === 0) return 'No standbys to verify.';
  const lines: string[] = [];
  for (const s of report.standbys) {
    lines.push(
      `${s.ok ? 'ok  ' : 'FAIL'} ${s.name} (from ${s.upstream}): replay lag ${formatBytes(s.replayLagBytes)}${s.replayLagSeconds != null ? `, ${s.replayLagSeconds.toFixed(3)} s` : ''}`,
    );
    for (const c of s.checks) lines.push(`       ${c.ok ? '✔' : '✘'} ${c.name}: ${c.detail}`);
  }
  lines.push(report.ok ? `\nAll ${report.standbys.length} standby(s) verified.` : '\nVerification failed.');
  return lines.join('\n');
}
