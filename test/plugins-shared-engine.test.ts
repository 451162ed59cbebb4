// A plugin runs against the engine of the hotstandby that loads it, also when its project has @hotstandby/core
// installed: module state such as the secrets to mask is shared, not duplicated in a second copy.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { linkHotstandbyCore, writeProjectFile } from './support/plugin-files.js';
import { clusterConfig, createProject } from './support/project.js';

const TOKEN = 'plugin-api-token-5f1c9e';

// A step whose module registers a secret with the engine it imports, and whose plan fails naming that secret.
const TOKEN_STEP = `import { definePlugin, registerSecret } from '@hotstandby/core';

registerSecret('${TOKEN}');

export default definePlugin({
  name: 'token-check',
  description: 'Fail, naming a secret registered with the engine.',
  scope: 'primary',
  after: ['hba-config'],
  async plan() {
    throw new Error('the API refused the token ${TOKEN}');
  },
});
`;

describe('a plugin and the running engine', () => {
  test('a secret a plugin registers through its installed @hotstandby/core is masked in the error the CLI prints', async () => {
    const project = await createProject('hotstandby-e2e-shared-engine-');
    await linkHotstandbyCore(project);
    await writeProjectFile(project, 'steps/token-check.js', TOKEN_STEP);
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ plugins: ['./steps/token-check.js'] }));

    const result = await project.run(['up', '--dry-run', '--plain']);
    expect(result.code, describeRun(result)).toBe(1);
    expect(result.stderr, describeRun(result)).toContain('the API refused the token ********');
    expect(result.stdout + result.stderr, describeRun(result)).not.toContain(TOKEN);
  });
});
