// The report of verifying the standbys (what the built-in verify step returns), for people and for --json.

// One check on one standby.
export interface CheckResult {
  name: 'running' | 'in-recovery' | 'row-replicated' | 'read-only' | 'streaming';
  ok: boolean;
  detail: string;
}

// Everything verify learned about one standby.
export interface StandbyReport {
  name: string;
  upstream: string;
  ok: boolean;
  // The configured apply delay of a delayed standby ("5min"), null otherwise.
  delayedBy: string | null;
  inRecovery: boolean | null;
  readOnly: boolean | null;
  rowReplicated: boolean | null;
  streaming: boolean | null;
  replayLagBytes: number | null;
  replayLagSeconds: number | null;
  waitedMs: number | null;
  checks: CheckResult[];
}

// The whole verification.
export interface VerifyReport {
  ok: boolean;
  primary: string;
  markerLsn: string | null;
  standbys: StandbyReport[];
}

// What a replacement verify step that returns no report of its own is reported as: its summary line.
export interface VerifySummary {
  ok: true;
  summary: string | undefined;
}

// What Cluster.verify() returns: the verify step's report (a replacement step's data is passed on as it returned
// it, so a replacement should return this shape), or the summary of a replacement step that returned none.
export type VerifyResult = VerifyReport | VerifySummary;
