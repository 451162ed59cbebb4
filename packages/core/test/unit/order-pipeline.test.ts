import { describe, expect, it } from 'vitest';
import { orderPipeline, type OrderableStep } from '../../src/plugin/order-pipeline.js';
import { hotstandbyErrorFrom } from './support/expect-error.js';

const DEFAULT = ['user-creation', 'hba-config', 'wal-config', 'base-backup', 'recovery-config', 'verify'];
const builtin = (name: string): OrderableStep => ({ name, origin: `@hotstandby/plugin-${name}` });
const BUILTINS = DEFAULT.map(builtin);
const custom = (name: string, where: { before?: string[]; after?: string[] } = {}, origin = `./plugins/${name}.ts`): OrderableStep => ({ name, origin, ...where });
const names = (steps: readonly OrderableStep[]) => steps.map((s) => s.name);

describe('orderPipeline', () => {
  it('uses the default order when the config gives no pipeline', () => {
    // Available in another order than the default, to show the default decides.
    expect(names(orderPipeline([...BUILTINS].reverse(), undefined, DEFAULT))).toEqual(DEFAULT);
  });

  it('skips default steps no plugin provides', () => {
    expect(
      names(
        orderPipeline(
          BUILTINS.filter((s) => s.name !== 'verify'),
          undefined,
          DEFAULT,
        ),
      ),
    ).toEqual(DEFAULT.slice(0, -1));
  });

  it('follows an explicit pipeline and leaves out the steps it does not name', () => {
    const explicit = ['wal-config', 'user-creation', 'verify'];
    expect(names(orderPipeline(BUILTINS, explicit, DEFAULT))).toEqual(explicit);
  });

  it('returns the step objects themselves', () => {
    const [first] = orderPipeline(BUILTINS, ['hba-config'], DEFAULT);
    expect(first).toBe(BUILTINS[1]);
  });

  it('refuses an unknown step name in the pipeline, naming it and listing the known steps', () => {
    const error = hotstandbyErrorFrom(() => orderPipeline(BUILTINS, ['user-creation', 'hba-confg'], DEFAULT), 'PLUGIN_INVALID');
    expect(error.message).toContain('"hba-confg"');
    expect(error.where.key).toBe('pipeline');
    expect(error.fix).toContain('hba-config');
  });

  it('refuses a step listed twice, naming it', () => {
    const error = hotstandbyErrorFrom(() => orderPipeline(BUILTINS, ['user-creation', 'verify', 'user-creation'], DEFAULT), 'PLUGIN_INVALID');
    expect(error.message).toContain('"user-creation" twice');
    expect(error.where.key).toBe('pipeline');
  });

  it('inserts a step with before and after exactly between them', () => {
    const step = custom('copy-extra-files', { after: ['base-backup'], before: ['recovery-config'] });
    expect(names(orderPipeline([...BUILTINS, step], undefined, DEFAULT))).toEqual([
      'user-creation',
      'hba-config',
      'wal-config',
      'base-backup',
      'copy-extra-files',
      'recovery-config',
      'verify',
    ]);
  });

  it('runs a step with only before right before its target', () => {
    const step = custom('pre-check', { before: ['user-creation'] });
    expect(names(orderPipeline([...BUILTINS, step], undefined, DEFAULT))).toEqual(['pre-check', ...DEFAULT]);
  });

  it('runs a step with only after somewhere after its target', () => {
    const order = names(orderPipeline([...BUILTINS, custom('notify', { after: ['wal-config'] })], undefined, DEFAULT));
    expect(order.indexOf('notify')).toBeGreaterThan(order.indexOf('wal-config'));
    expect(order.filter((n) => n !== 'notify')).toEqual(DEFAULT);
  });

  it('places a step that names its place even when the pipeline is explicit', () => {
    const step = custom('pre-check', { before: ['wal-config'] });
    expect(names(orderPipeline([...BUILTINS, step], ['user-creation', 'wal-config'], DEFAULT))).toEqual(['user-creation', 'pre-check', 'wal-config']);
  });

  it('appends an unplaced custom step only when no pipeline is given', () => {
    const extra = custom('extra');
    expect(names(orderPipeline([...BUILTINS, extra], undefined, DEFAULT))).toEqual([...DEFAULT, 'extra']);
    expect(names(orderPipeline([...BUILTINS, extra], ['user-creation'], DEFAULT))).toEqual(['user-creation']);
    expect(names(orderPipeline([...BUILTINS, extra], ['extra', 'user-creation'], DEFAULT))).toEqual(['extra', 'user-creation']);
  });

  it('keeps a listed step where the list puts it, whatever its own before/after say', () => {
    const step = custom('seed', { after: ['verify'] });
    expect(names(orderPipeline([...BUILTINS, step], ['seed', 'user-creation', 'verify'], DEFAULT))).toEqual(['seed', 'user-creation', 'verify']);
  });

  it('orders chains of custom steps by their constraints', () => {
    const a = custom('a', { after: ['hba-config'], before: ['b'] });
    const b = custom('b', { before: ['wal-config'] });
    expect(names(orderPipeline([b, ...BUILTINS, a], undefined, DEFAULT))).toEqual([
      'user-creation',
      'hba-config',
      'a',
      'b',
      'wal-config',
      'base-backup',
      'recovery-config',
      'verify',
    ]);
  });

  it('refuses a step placed relative to a step that is not in the pipeline', () => {
    const step = custom('after-backup', { after: ['base-backup'] });
    const error = hotstandbyErrorFrom(() => orderPipeline([...BUILTINS, step], ['user-creation'], DEFAULT), 'PLUGIN_INVALID');
    expect(error.message).toContain('"after-backup"');
    expect(error.message).toContain('"base-backup"');
    expect(error.where.plugin).toBe('./plugins/after-backup.ts');
  });

  it('calls a before/after naming no step at all a likely typo, listing the steps there are', () => {
    const step = custom('seed', { after: ['no-such-step'] });
    const error = hotstandbyErrorFrom(() => orderPipeline([...BUILTINS, step], undefined, DEFAULT), 'PLUGIN_INVALID');
    expect(error.message).toContain('wants to run relative to "no-such-step", but no step of that name exists (a typo?)');
    expect(error.fix).toMatch(/^name one of the known steps in its before\/after: user-creation, .*verify \(or place "seed" yourself/);
  });

  it('refuses a cycle, naming the plugins in it with their origins', () => {
    const x = custom('x', { before: ['y'] }, 'plugin-x');
    const y = custom('y', { before: ['x'] }, 'plugin-y');
    const error = hotstandbyErrorFrom(() => orderPipeline([...BUILTINS, x, y], undefined, DEFAULT), 'PLUGIN_INVALID');
    expect(error.message).toMatch(/cycle/);
    expect(error.message).toContain('x (plugin-x)');
    expect(error.message).toContain('y (plugin-y)');
    // Steps outside the cycle are not blamed.
    expect(error.message).not.toContain('user-creation');
  });

  it('refuses a constraint that contradicts the pipeline order', () => {
    const late = custom('late', { before: ['user-creation'], after: ['verify'] }, 'plugin-late');
    const error = hotstandbyErrorFrom(() => orderPipeline([...BUILTINS, late], undefined, DEFAULT), 'PLUGIN_INVALID');
    expect(error.message).toContain('late (plugin-late)');
  });

  it('refuses two plugins with the same step name, naming both origins', () => {
    const mine = custom('wal-config', {}, './my-wal-config.ts');
    const error = hotstandbyErrorFrom(() => orderPipeline([...BUILTINS, mine], undefined, DEFAULT), 'PLUGIN_INVALID');
    expect(error.message).toContain('"wal-config"');
    expect(error.message).toContain('@hotstandby/plugin-wal-config');
    expect(error.message).toContain('./my-wal-config.ts');
  });
});
