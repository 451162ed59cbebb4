// The result of verifying the standbys, for people and for --json: the shapes live in @hotstandby/core, which
// returns them from Cluster.verify().
export type { CheckResult, StandbyReport, VerifyReport } from '@hotstandby/core';
