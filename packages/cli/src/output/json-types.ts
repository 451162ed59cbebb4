import type {
  BinarySource,
  ClusterStatus,
  ConnectionEnv,
  ControlResult,
  DoctorReport,
  DownResult,
  ErrorCode,
  ErrorLocation,
  NodeStatus,
  PromoteResult,
  RejoinResult,
  RemoveStandbyResult,
  SwitchoverResult,
  UpResult,
  VerifyResult,
} from '@hotstandby/core';
import type { HotstandbySource } from '../scaffold/hotstandby-source.js';
import type { PipelineJson } from './pipeline-view.js';

// The documents `hotstandby <command> --json` prints on stdout, one type per command (docs/json-output.md).

// `up --json` (also with --dry-run).
export type UpJson = UpResult;

// `status --json`.
export type StatusJson = ClusterStatus;

// `verify --json`: the report (also printed, before the error on stderr, when a check fails).
export type VerifyJson = VerifyResult;

// `down --json`.
export type DownJson = DownResult;

// `env --json`.
export type EnvJson = ConnectionEnv;

// `doctor --json`.
export type DoctorJson = DoctorReport;

// `plugins --json`.
export type PluginsJson = PipelineJson;

// `pg list --json`: the binaries hotstandby can use, in the order it considers them.
export interface PgListJson {
  // The per-user cache embedded binaries are installed into.
  cache: string;
  binaries: { version: string; major: string; binDir: string; source: BinarySource; reason: string; pgBasebackup: boolean }[];
}

// `start --json`, `stop --json` and `restart --json`: what happened to each node, in the order it happened.
export interface NodeControlJson {
  nodes: ControlResult[];
  // Things to know, e.g. that stopping a synchronous standby makes the primary's commits wait.
  warnings: string[];
}

// `add-standby --json` and `rebuild --json`: the standby as status reports it afterwards, and the up run.
export interface StandbyBuildJson {
  standby: string;
  // The standby in the status after the run (null when the run returned no status).
  node: NodeStatus | null;
  up: UpResult;
  warnings: string[];
}

// `remove-standby --json`.
export interface RemoveStandbyJson extends RemoveStandbyResult {
  standby: string;
  warnings: string[];
}

// `promote --json`.
export interface PromoteJson extends PromoteResult {
  newPrimary: string;
  warnings: string[];
}

// `rejoin --json`: method is how the former primary became a standby (follow, pg_rewind or base-backup).
export interface RejoinJson extends RejoinResult {
  node: string;
  warnings: string[];
}

// `switchover --json`.
export interface SwitchoverJson extends SwitchoverResult {
  newPrimary: string;
  warnings: string[];
}

// `scripts --json`: the directory and the absolute path of every script written.
export interface ScriptsJson {
  dir: string;
  files: string[];
}

// `pg install --json`: the embedded binaries now in the cache (or already there).
export interface PgInstallJson {
  major: string;
  pgVersion: string;
  packageName: string;
  packageVersion: string;
  binDir: string;
}

// `plugin new --json`: the package written; files are relative to dir.
export interface PluginNewJson {
  dir: string;
  packageName: string;
  files: string[];
  // Where its @hotstandby dependencies come from (a checkout's directories, or the registry).
  source: HotstandbySource;
}

// Any command's failure under --json: this one object on stderr, with the exit code the command has without --json.
export interface ErrorJson {
  error: {
    // An error code (docs/errors.md), or USAGE for a bad command line (exit 2).
    code: ErrorCode | 'USAGE';
    message: string;
    where: ErrorLocation;
    fix: string | null;
    detail: string | null;
  };
}
