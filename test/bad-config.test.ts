// Bad config: one clear message naming the key or path and the fix, exit code 1, no stack trace, nothing created.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError } from './support/cluster-json.js';
import { listTree } from './support/files.js';
import { holdPort } from './support/ports.js';
import { clusterConfig, createProject, deferCleanup, freePorts, type Project } from './support/project.js';

interface BadCase {
  name: string;
  // Prepare the project; returns the global arguments to pass (e.g. --config) and what stderr must mention.
  setup(project: Project): Promise<{ args?: string[]; mentions: (string | RegExp)[] }>;
  // False when only `up` must refuse (a port in use does not stop `status` from reporting).
  statusRefuses?: boolean;
}

const CONFIG = 'hotstandby.config.json';

const cases: BadCase[] = [
  {
    name: 'unknown key (with a suggestion)',
    async setup(project) {
      const config = await clusterConfig();
      (config.primary as Record<string, unknown>).prot = 5000;
      await project.writeConfig(CONFIG, config);
      return { mentions: ['primary.prot', 'unknown key', 'did you mean "port"', project.path(CONFIG)] };
    },
  },
  {
    name: 'unknown top-level key (with a suggestion)',
    async setup(project) {
      const config = await clusterConfig();
      config.standby = config.standbys;
      delete config.standbys;
      await project.writeConfig(CONFIG, config);
      return { mentions: ['standby', 'did you mean "standbys"'] };
    },
  },
  {
    name: 'wrong type',
    async setup(project) {
      const config = await clusterConfig();
      (config.primary as Record<string, unknown>).port = String((config.primary as { port: number }).port);
      await project.writeConfig(CONFIG, config);
      return { mentions: ['primary.port', /whole number|number/] };
    },
  },
  {
    name: 'duplicate node name',
    async setup(project) {
      const config = await clusterConfig({ standbys: ['twin', 'twin'] });
      await project.writeConfig(CONFIG, config);
      return { mentions: ['standbys[1].name', '"twin"'] };
    },
  },
  {
    name: 'duplicate port',
    async setup(project) {
      const config = await clusterConfig();
      const port = (config.primary as { port: number }).port;
      (config.standbys as { port: number }[])[0]!.port = port;
      await project.writeConfig(CONFIG, config);
      return { mentions: ['standbys[0].port', String(port)] };
    },
  },
  {
    name: 'port out of range (70000)',
    async setup(project) {
      const config = await clusterConfig();
      (config.standbys as { port: number }[])[0]!.port = 70000;
      await project.writeConfig(CONFIG, config);
      return { mentions: ['standbys[0].port', '70000', /65535/] };
    },
  },
  {
    name: 'port in use by another program',
    statusRefuses: false,
    async setup(project) {
      const config = await clusterConfig();
      const port = (config.primary as { port: number }).port;
      const held = await holdPort(port);
      deferCleanup(() => held.release());
      await project.writeConfig(CONFIG, config);
      return { mentions: ['primary.port', String(port), /in use/] };
    },
  },
  {
    name: "standby data directory inside the primary's",
    async setup(project) {
      const config = await clusterConfig();
      (config.primary as Record<string, unknown>).dataDir = './pg/primary';
      (config.standbys as Record<string, unknown>[])[0]!.dataDir = './pg/primary/standby1';
      await project.writeConfig(CONFIG, config);
      return { mentions: ['standbys[0].dataDir', project.path('pg', 'primary', 'standby1')] };
    },
  },
  {
    name: 'postgres.binDir without PostgreSQL binaries',
    async setup(project) {
      await mkdir(project.path('no-binaries'));
      const config = await clusterConfig({ postgres: { binDir: './no-binaries' } });
      await project.writeConfig(CONFIG, config);
      return { mentions: ['postgres.binDir', project.path('no-binaries'), `file ${project.path(CONFIG)}`] };
    },
  },
  {
    name: 'postgres.version that is not a version',
    async setup(project) {
      await project.writeConfig(CONFIG, await clusterConfig({ postgres: { version: 'fifteen' } }));
      return { mentions: ['postgres.version', '"fifteen"', 'such as 15'] };
    },
  },
  {
    name: 'archive.dir pointing at a file',
    statusRefuses: false,
    async setup(project) {
      await writeFile(project.path('notes.txt'), 'mine\n');
      await project.writeConfig(CONFIG, await clusterConfig({ archive: { dir: './notes.txt' } }));
      return { mentions: ['archive.dir', project.path('notes.txt'), 'is a file'] };
    },
  },
  {
    name: 'an archive.dir the server user cannot write into',
    statusRefuses: false,
    async setup(project) {
      await mkdir(project.path('myarchive'), { mode: 0o755 });
      await project.writeConfig(CONFIG, await clusterConfig({ archive: { dir: './myarchive' } }));
      return { mentions: [`cannot write into the WAL archive ${project.path('myarchive')}`, 'key archive.dir', `chown postgres ${project.path('myarchive')}`] };
    },
  },
  {
    name: 'a privileged port the server user cannot listen on',
    statusRefuses: false,
    async setup(project) {
      const config = await clusterConfig();
      (config.standbys as { port: number }[])[0]!.port = 80;
      await project.writeConfig(CONFIG, config);
      return { mentions: ['standbys[0].port is 80, a privileged port', 'choose a port from'] };
    },
  },
  {
    name: 'passwordEnv naming a variable that is not set',
    async setup(project) {
      await project.writeConfig(CONFIG, await clusterConfig({ superuser: { passwordEnv: 'HOTSTANDBY_TEST_UNSET_PASSWORD' } }));
      return { mentions: ['superuser.passwordEnv names the environment variable HOTSTANDBY_TEST_UNSET_PASSWORD, which is not set', 'export HOTSTANDBY_TEST_UNSET_PASSWORD='] };
    },
  },
  {
    name: 'a stateDir with $ in it (pg_ctl runs the log path through the shell)',
    statusRefuses: false,
    async setup(project) {
      await project.writeConfig(CONFIG, await clusterConfig({ stateDir: './state$HOME' }));
      return {
        mentions: [
          `the state directory (${project.path('state$HOME')}) contains a dollar sign ($)`,
          'key stateDir',
          /set "stateDir" in .*hotstandby\.config\.json to a path without \$/,
          'spaces and single quotes are fine',
        ],
      };
    },
  },
  {
    name: 'an archive.dir with a backtick in it',
    statusRefuses: false,
    async setup(project) {
      await project.writeConfig(CONFIG, await clusterConfig({ archive: { dir: './wal`date`' } }));
      return { mentions: [`the WAL archive directory (${project.path('wal`date`')}) contains a backtick (\`)`, 'archive.dir'] };
    },
  },
  {
    name: 'a standby dataDir that is a symbolic link to nowhere',
    statusRefuses: false,
    async setup(project) {
      await symlink(project.path('gone', 'standby1'), project.path('standby-link'));
      const config = await clusterConfig();
      (config.standbys as Record<string, unknown>[])[0]!.dataDir = './standby-link';
      await project.writeConfig(CONFIG, config);
      return {
        mentions: [
          `the data directory of standby1 (${project.path('standby-link')}) is a symbolic link to ${project.path('gone', 'standby1')}, which does not exist`,
          'standbys[0].dataDir',
        ],
      };
    },
  },
  {
    name: 'a data directory whose path has a line break in it',
    statusRefuses: false,
    async setup(project) {
      const config = await clusterConfig();
      (config.standbys as Record<string, unknown>[])[0]!.dataDir = './data/stand\nby1';
      await project.writeConfig(CONFIG, config);
      return { mentions: ['the data directory of standby1', 'contains a line break', 'standbys[0].dataDir'] };
    },
  },
  {
    name: '--config pointing at a missing file',
    async setup(project) {
      return { args: ['--config', 'missing/cluster.json'], mentions: [project.path('missing', 'cluster.json'), '--config'] };
    },
  },
  {
    name: 'invalid JSON (the message says what is wrong and where)',
    async setup(project) {
      const config = await clusterConfig();
      await project.writeConfig(CONFIG, JSON.stringify(config).replace(/\}$/, ',\n'));
      return { mentions: [project.path(CONFIG), /JSON/, /position \d+|line \d+|Expected|Unexpected|end of/i] };
    },
  },
];

describe('bad config', () => {
  test.each(cases)('$name', async (badCase) => {
    const project = await createProject();
    const { args = [], mentions } = await badCase.setup(project);
    const before = listTree(project.dir);

    const result = await project.run([...args, 'up']);
    expectUserError(result, mentions);
    expect(listTree(project.dir), `nothing may be created\n${describeRun(result)}`).toEqual(before);

    // The same config is refused the same way by `status`, again with one message and no stack.
    if (badCase.statusRefuses !== false) expectUserError(await project.run([...args, 'status']), mentions);
    expect(listTree(project.dir)).toEqual(before);
  });

  test('a project directory with a double quote or a backslash in its path is refused before anything is created', async () => {
    for (const prefix of ['hotstandby-e2e-"q"-', 'hotstandby-e2e-back\\slash-']) {
      const project = await createProject(prefix);
      await project.writeConfig(CONFIG, await clusterConfig());
      const before = listTree(project.dir);
      const result = await project.run(['up']);
      const ch = prefix.includes('"') ? 'a double quote (")' : 'a backslash (\\)';
      expectUserError(result, [`(${project.path('.hotstandby')}) contains ${ch}`, `move the project out of ${project.dir}`]);
      expect(listTree(project.dir), `nothing may be created\n${describeRun(result)}`).toEqual(before);
    }
  });

  test('a stray unknown option on the command line is a usage error, not a crash', async () => {
    const project = await createProject();
    const [port] = await freePorts(1);
    await project.writeConfig(CONFIG, { primary: { port } });
    const result = await project.run(['up', '--no-such-option']);
    expect(result.code, describeRun(result)).toBe(2);
    expect(result.stderr).toMatch(/unknown option/);
    expect(result.stderr).not.toMatch(/^\s+at \S/m);
    expect(listTree(project.dir)).toEqual([CONFIG]);
  });
});
