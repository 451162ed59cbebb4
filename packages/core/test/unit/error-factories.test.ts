import { describe, expect, it } from 'vitest';
import { configName, duplicateStep, invalidConfig, restartRequired, serverUserCannotReach, unknownPipelineStep } from '../../src/errors/error-factories.js';

describe('error factories', () => {
  it('names the config by its file, as the built-in default, or as "the config"', () => {
    expect(configName({ kind: 'file', path: '/srv/hotstandby.config.json' })).toBe('/srv/hotstandby.config.json');
    expect(configName({ kind: 'default' })).toBe('the built-in default config');
    expect(configName({ kind: 'inline' })).toBe('the config');
  });

  it('words an invalid config with its file and key, CONFIG_INVALID unless told otherwise', () => {
    const error = invalidConfig({ kind: 'file', path: '/srv/c.json' }, 'steps.x: there is no step called "x"', { key: 'steps.x', fix: 'known steps: verify' });
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'invalid config in /srv/c.json: steps.x: there is no step called "x"',
      where: { file: '/srv/c.json', key: 'steps.x' },
    });
    expect(error.fix).toBe('known steps: verify');
    expect(invalidConfig({ kind: 'default' }, 'a clash', { code: 'CONFIG_CONFLICT', fix: 'f' }).code).toBe('CONFIG_CONFLICT');
  });

  it('words a refused restart one way: the node, the settings, that nothing changed, and --allow-restart', () => {
    const error = restartRequired('master', ['wal_level', 'archive_mode'], { step: 'wal-config' });
    expect(error).toMatchObject({
      code: 'RESTART_REQUIRED',
      message: 'master must restart for wal_level, archive_mode; nothing was changed',
      where: { node: 'master', step: 'wal-config' },
    });
    expect(error.fix).toBe('run again with --allow-restart');
    expect(restartRequired('master', ['wal_level'], { pending: 'a restart is pending for shared_buffers' }).message).toBe(
      'master must restart for wal_level; also, a restart is pending for shared_buffers; nothing was changed',
    );
    expect(restartRequired('master', [], { pending: 'a restart is pending for shared_buffers', fix: 'restart it yourself first' })).toMatchObject({
      message: 'master must restart: a restart is pending for shared_buffers; nothing was changed',
      fix: 'restart it yourself first',
    });
  });

  it('words the pipeline errors that both the orderer and the resolver raise', () => {
    expect(duplicateStep('seed', '/a/seed.ts', 'pkg@1.0.0', { where: { plugin: 'pkg' }, fix: 'remove one' })).toMatchObject({
      code: 'PLUGIN_INVALID',
      message: 'two plugins define the step "seed": /a/seed.ts and pkg@1.0.0',
    });
    expect(unknownPipelineStep('sede', ['seed', 'verify'], { where: { key: 'pipeline' }, hint: '(from "plugins")' })).toMatchObject({
      message: 'the pipeline names the step "sede", which no plugin provides',
      fix: 'known steps: seed, verify (from "plugins")',
    });
  });

  it('names the directory the server user cannot pass and the chmod that lets it through', () => {
    const error = serverUserCannotReach('postgres', '/root', 'the data directory of master', '/root/pg/master');
    expect(error.code).toBe('PATH_UNREACHABLE');
    expect(error.message).toBe('the OS user "postgres" that runs PostgreSQL cannot reach /root, on the way to the data directory of master (/root/pg/master)');
    expect(error.fix).toContain('chmod o+x /root');
  });
});
