// When pg_rewind of a former primary on another host fails, the temporary rule that let it into the new primary is
// removed all the same: after the fallback clears the directory, before the pipeline's fresh base backup. The hosts
// are in-memory machines (this pins the order of the rejoin's planned actions as the executor applies them).
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterRuntime } from '../../src/cluster/cluster-runtime.js';
import { rejoinSteps } from '../../src/cluster/rejoin.js';
import type { ConfigSource } from '../../src/config/cluster-spec.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { Executor } from '../../src/executor/executor.js';
import { HotstandbyError } from '../../src/errors/hotstandby-error.js';
import type { Machine, MachineFileFacts } from '../../src/hosts/machine.js';
import { HBA_BLOCK_BEGIN, HBA_BLOCK_END } from '../../src/postgres/hba-file.js';
import type { PgNode } from '../../src/postgres/pg-node.js';
import { stateLayout } from '../../src/state/state-layout.js';
import { StateStore } from '../../src/state/state-store.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const DIR = path.resolve('/srv/clusters/demo');
const FILE: ConfigSource = { kind: 'file', path: path.join(DIR, 'hotstandby.config.json'), dir: DIR };
const HBA = '/srv/pg/b/pg_hba.conf';
const ORIGINAL = `${HBA_BLOCK_BEGIN}\nhost    replication     "repuser"       127.0.0.1/32            scram-sha-256\n${HBA_BLOCK_END}\n`;

// A host's files in memory; every effect is told to `events`, and programs fail (pg_rewind that cannot rewind).
function memoryHost(address: string, events: string[], files: Map<string, string>, dirs: Set<string>, onRun: () => Error = () => new Error('failed')): Machine {
  const facts = (kind: MachineFileFacts['kind']): MachineFileFacts => ({ kind, mode: 0o600, uid: 0, gid: 0, size: 0 });
  return {
    label: `root@${address}`,
    remote: true,
    address,
    runAllowFailure: async () => ({ exitCode: 0, stdout: `198.18.0.3 dev veth0 src ${address} uid 0\n`, stderr: '' }),
    run: async (program: string) => {
      events.push(`run ${path.basename(program)} on ${address}`);
      throw onRun();
    },
    readFile: async (file: string) => (files.has(file) ? Buffer.from(files.get(file)!) : undefined),
    writeFileAtomic: async (file: string, content: string | Buffer) => {
      events.push(`write ${file}`);
      files.set(file, content.toString());
    },
    stat: async (file: string) => (files.has(file) ? facts('file') : dirs.has(file) ? facts('dir') : undefined),
    remove: async (target: string) => {
      events.push(`remove ${target}`);
      files.delete(target);
      dirs.delete(target);
    },
    finalPath: async (target: string) => target,
    readdir: async (parent: string) => [...files.keys(), ...dirs].filter((f) => path.posix.dirname(f) === parent).map((f) => path.posix.basename(f)),
  } as unknown as Machine;
}

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-rewind-access-');
});
afterEach(() => removeTempDir(dir));

// The rejoin's pg_rewind step of a (on 198.18.0.2) from b (198.18.0.3), applied by the real executor; pg_rewind ends
// with the error onRun gives (interrupting the run first, if it likes).
async function applyRewindStep(onRun: () => Error, signal?: AbortSignal) {
  const events: string[] = [];
  const filesA = new Map<string, string>([['/srv/pg/a/global/pg_control', '']]);
  const filesB = new Map<string, string>([[HBA, ORIGINAL]]);
  const spec = resolveConfig(
    {
      primary: { name: 'a', host: '198.18.0.2', dataDir: '/srv/pg/a' },
      standbys: [{ name: 'b', host: '198.18.0.3', dataDir: '/srv/pg/b' }],
    },
    FILE,
  );
  const osUser = { name: 'postgres', uid: 0, gid: 0, home: '/var/lib/postgresql', isInvoker: false };
  const a = {
    name: 'a',
    dataDir: '/srv/pg/a',
    machine: memoryHost('198.18.0.2', events, filesA, new Set(['/srv/pg/a']), onRun),
    binaries: { path: (p: string) => `/usr/lib/postgresql/15/bin/${p}`, has: () => true },
    osUser,
    facts: { standbySetup: 'standby.signal', scram: true },
    dataPath: (...parts: string[]) => path.posix.join('/srv/pg/a', ...parts),
  } as unknown as PgNode;
  const b = {
    name: 'b',
    port: 5432,
    dataDir: '/srv/pg/b',
    machine: memoryHost('198.18.0.3', events, filesB, new Set(['/srv/pg/b'])),
    osUser,
    facts: { standbySetup: 'standby.signal', scram: true },
    settingPath: async () => HBA,
    reload: async () => {
      events.push(`reload b with ${filesB.get(HBA)!.includes('198.18.0.2/32') ? 'the rule' : 'no rule'}`);
    },
  } as unknown as PgNode;
  const layout = stateLayout(path.join(dir, 'state'));
  const store = new StateStore(layout.stateFile);
  const rt = {
    spec,
    layout,
    state: { journal: [] },
    store,
    passwords: { superuser: { value: 'hunter2-secret' } },
    createdByTool: () => true,
  } as unknown as ClusterRuntime;
  let fellBack = false;
  const steps = await rejoinSteps(rt, a, { method: 'pg_rewind', detail: 'test' }, b, () => {
    fellBack = true;
  });
  const rewind = steps.find((s) => s.title.startsWith('rewinding a'))!;
  const me = os.userInfo();
  const executor = new Executor({
    node: (name) => ({ a, b })[name as 'a' | 'b'],
    serverUser: { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir, isInvoker: true },
    state: store,
    layout,
    progress: () => undefined,
    signal,
  });
  const error = await executor.applyAll(rewind.actions).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { events, filesA, filesB, fellBack, error };
}

describe('pg_rewind of a former primary on another host that fails', () => {
  it('removes the temporary rule on the new primary, after the fallback clears the directory', async () => {
    const { events, filesB, fellBack, error } = await applyRewindStep(() => new Error('pg_rewind failed'));
    expect(error).toBeUndefined();

    expect(fellBack).toBe(true);
    expect(filesB.get(HBA)).toBe(ORIGINAL);
    const at = (event: string) => events.indexOf(event);
    expect(events.filter((e) => e.startsWith('reload b'))).toEqual(['reload b with the rule', 'reload b with no rule']);
    expect(at('reload b with the rule')).toBeLessThan(at('run pg_rewind on 198.18.0.2'));
    expect(at('remove /srv/pg/a')).toBeGreaterThan(at('run pg_rewind on 198.18.0.2'));
    expect(events.lastIndexOf(`write ${HBA}`)).toBeGreaterThan(at('remove /srv/pg/a'));
    expect(events.at(-1)).toBe('reload b with no rule');
  });

  it('is interrupted: the temporary rule and the passfile are taken back all the same, and the interruption is the error', async () => {
    const controller = new AbortController();
    const interrupted = new HotstandbyError('ABORTED', 'pg_rewind was interrupted');
    const { events, filesA, filesB, fellBack, error } = await applyRewindStep(() => {
      controller.abort();
      return interrupted;
    }, controller.signal);
    expect(error).toBe(interrupted);
    expect(fellBack).toBe(false);
    expect(filesB.get(HBA)).toBe(ORIGINAL);
    expect(events.at(-1)).toBe('reload b with no rule');
    expect([...filesA.keys()].filter((f) => f.endsWith('.pgpass'))).toEqual([]);
    // The data directory is left as it is (no fallback ran).
    expect(events).not.toContain('remove /srv/pg/a');
  });
});
