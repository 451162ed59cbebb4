// `pnpm hotstandby` runs the root script from the repository root on behalf of the user's directory (INIT_CWD).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun, parseJson, REPO_ROOT, runCli, runProgram } from './support/cli.js';
import { nodeNamed, type StatusJson } from './support/cluster-json.js';
import { listTree } from './support/files.js';
import { clusterConfig, createProject } from './support/project.js';

describe('pnpm hotstandby', () => {
  test("`pnpm hotstandby` from the repository root resolves paths against the user's directory (INIT_CWD)", async () => {
    const project = await createProject();
    const config = await clusterConfig();
    (config.primary as Record<string, unknown>).dataDir = './data/primary';
    await project.writeConfig('conf/cluster.json', config);
    const repoStateBefore = existsSync(path.join(REPO_ROOT, '.hotstandby'));
    const asPnpmScript = { npm_lifecycle_event: 'hotstandby', INIT_CWD: project.dir };

    // What `pnpm hotstandby up --config conf/cluster.json` runs: the script in the repository root, with
    // INIT_CWD naming the directory the user typed the command in.
    const up = await runCli(['up', '--config', 'conf/cluster.json'], { cwd: REPO_ROOT, env: asPnpmScript });
    expect(up.code, describeRun(up)).toBe(0);
    expect(existsSync(project.path('conf', 'data', 'primary', 'PG_VERSION'))).toBe(true);
    expect(existsSync(project.path('conf', '.hotstandby', 'state.json'))).toBe(true);
    expect(existsSync(path.join(REPO_ROOT, '.hotstandby'))).toBe(repoStateBefore);
    expect(existsSync(path.join(REPO_ROOT, 'conf'))).toBe(false);

    // The real thing: pnpm itself, started in the user's directory, running the root script.
    const viaPnpm = await runProgram('pnpm', ['--dir', REPO_ROOT, '--silent', 'hotstandby', 'status', '--json', '--config', 'conf/cluster.json'], { cwd: project.dir });
    expect(viaPnpm.code, describeRun(viaPnpm)).toBe(0);
    const status = parseJson<StatusJson>({ ...viaPnpm, stdout: viaPnpm.stdout.slice(viaPnpm.stdout.indexOf('{')) });
    expect(status.stateDir).toBe(project.path('conf', '.hotstandby'));
    expect(nodeNamed(status, 'primary')).toMatchObject({ dataDir: project.path('conf', 'data', 'primary'), running: true });
    expect(nodeNamed(status, 'standby1')).toMatchObject({ dataDir: project.path('conf', '.hotstandby', 'data', 'standby1'), running: true, inRecovery: true });

    const down = await runCli(['down', '--purge', '--config', 'conf/cluster.json'], { cwd: REPO_ROOT, env: asPnpmScript });
    expect(down.code, describeRun(down)).toBe(0);
    expect(listTree(project.dir)).toEqual(['conf', 'conf/cluster.json']);
  });
});
