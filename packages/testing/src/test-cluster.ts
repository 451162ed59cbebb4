import path from 'node:path';
import { Cluster, configFromObject, PgNode, type ClusterSpec, type ConfigInput, type LoadedPlugin, type PlannedStep, type StepRecord } from '@hotstandby/core';
import { freePort } from './free-port.js';
import { createTestPrimary, type TestPrimary, type TestPrimaryOptions } from './test-primary.js';
import { asLoadedPlugins, type TestPluginInput } from './test-plugins.js';

// A test primary plus the hotstandby spec and Cluster that manage it (the primary is "adopted", as a user's own
// server would be), with standbys on free ports in the same temporary directory.
export interface TestCluster {
  primary: TestPrimary;
  spec: ClusterSpec;
  cluster: Cluster;
  // The plugins the cluster runs (as given to createTestCluster; a bare plugin with the origin "test").
  plugins: readonly LoadedPlugin[];
  replicationPassword: string;
  // The node handle of a standby (after up).
  standby(name: string): PgNode;
  // Run the whole pipeline (all given plugins) quietly.
  up(options?: { allowRestart?: boolean }): Promise<void>;
  // Run some steps / show what they would do.
  runSteps(names: readonly string[]): Promise<StepRecord[]>;
  planSteps(names: readonly string[]): Promise<PlannedStep[]>;
  cleanup(): Promise<void>;
}

// How to make a test cluster.
export interface TestClusterOptions extends TestPrimaryOptions {
  // The steps tc.up() runs: plugin objects, or LoadedPlugins such as BUILTIN_PLUGINS (the six built-in steps,
  // which build the standbys). [] for none: runStep and planStep bring the step they run.
  plugins: readonly TestPluginInput[];
  // Names of the standbys (default one, "standby1").
  standbys?: readonly string[];
  // More config (merged over the generated one), e.g. { archive: true, steps: { verify: { timeoutSeconds: 10 } } }.
  config?: Partial<ConfigInput>;
  replicationPassword?: string;
  pipeline?: readonly string[];
}

// A primary in seconds, wired to a hotstandby Cluster that plugins can be run against.
export async function createTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  const plugins = asLoadedPlugins(options.plugins);
  const primary = await createTestPrimary(options);
  const replicationPassword = options.replicationPassword ?? `rep-${Math.random().toString(36).slice(2, 10)}`;
  const standbys: { name: string; port: number; dataDir: string }[] = [];
  for (const name of options.standbys ?? ['standby1']) standbys.push({ name, port: await freePort(), dataDir: path.join(primary.dir, name) });
  const config: ConfigInput = {
    stateDir: path.join(primary.dir, 'state'),
    postgres: { binDir: primary.binaries.binDir },
    superuser: { password: primary.superuserPassword },
    primary: { name: 'primary', port: primary.port, dataDir: primary.dataDir },
    standbys,
    replication: { user: 'repuser', password: replicationPassword },
    ...options.config,
  };
  const spec = configFromObject(config, primary.dir);
  const cluster = new Cluster(spec, { plugins, pipeline: options.pipeline });
  const nodes = () =>
    standbys.map(
      (s) =>
        new PgNode({
          name: s.name,
          role: 'standby',
          port: s.port,
          dataDir: s.dataDir,
          binaries: primary.binaries,
          osUser: primary.serverUser,
          logFile: path.join(spec.stateDir, 'logs', `${s.name}.log`),
          superuser: { name: 'postgres', password: primary.superuserPassword },
        }),
    );
  const handles = nodes();
  return {
    primary,
    spec,
    cluster,
    plugins,
    replicationPassword,
    standby: (name) => {
      const found = handles.find((h) => h.name === name);
      if (!found) throw new Error(`no standby named ${name}`);
      return found;
    },
    up: async (o = {}) => {
      await cluster.up({ renderer: 'silent', print: () => undefined, allowRestart: o.allowRestart });
    },
    runSteps: (names) => cluster.runSteps(names, { renderer: 'silent' }),
    planSteps: (names) => cluster.planSteps(names),
    cleanup: async () => {
      for (const h of handles) {
        await h.closeConnections();
        await h.stop('immediate').catch(() => undefined);
      }
      await primary.node.closeConnections();
      await primary.cleanup();
    },
  };
}
