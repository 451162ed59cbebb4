import { HotstandbyError, isHotstandbyError } from '../errors/hotstandby-error.js';
import type { StepContext } from './step-context.js';
import type { StepPlugin } from './step-plugin.js';

// The part of a plugin's life an error came from.
export type PluginPhase = 'preflight' | 'bootstrapSettings' | 'plan' | 'apply';

// An error thrown by a plugin, as a HotstandbyError that names the plugin (and where it came from), the step,
// the node and the phase. A HotstandbyError the plugin raised itself keeps its code and message.
export function pluginFailure(error: unknown, plugin: Pick<StepPlugin, 'name' | 'scope'>, origin: string, phase: PluginPhase, nodeName: string): HotstandbyError {
  const node = plugin.scope === 'cluster' ? 'cluster' : nodeName;
  const where = { step: plugin.name, node, plugin: origin };
  if (isHotstandbyError(error)) return error.within(where);
  const message = error instanceof Error ? error.message : String(error);
  return new HotstandbyError('PLUGIN_FAILED', `step ${plugin.name} (${origin}) failed in ${phase} on ${node}: ${message}`, {
    where,
    fix: `this is an error inside the plugin: fix it and run again (${BEFORE_ANY_CHANGE.has(phase) ? 'nothing was changed: this runs before any step' : 'what earlier steps did is kept'}); --verbose shows its stack trace`,
    cause: error,
  });
}

// Phases that run before the first change of a run.
const BEFORE_ANY_CHANGE: ReadonlySet<PluginPhase> = new Set(['preflight', 'bootstrapSettings']);

// The plugin with every hook wrapped so that whatever it throws names the plugin, step, node and phase.
export function guardPlugin<Options>(plugin: StepPlugin<Options>, origin: string): StepPlugin<Options> {
  const fail = (phase: PluginPhase, ctx: StepContext<Options>) => (error: unknown) => {
    throw pluginFailure(error, plugin, origin, phase, ctx.node.name);
  };
  const guarded: StepPlugin<Options> = {
    ...plugin,
    plan: (ctx) => invoke(() => plugin.plan(ctx), fail('plan', ctx)),
  };
  if (plugin.preflight) guarded.preflight = (ctx) => invoke(() => plugin.preflight!(ctx), fail('preflight', ctx));
  if (plugin.apply) guarded.apply = (ctx, plan) => invoke(() => plugin.apply!(ctx, plan), fail('apply', ctx));
  if (plugin.bootstrapSettings) {
    guarded.bootstrapSettings = (ctx) => {
      try {
        const settings = plugin.bootstrapSettings!(ctx);
        return settings instanceof Promise ? settings.catch(fail('bootstrapSettings', ctx)) : settings;
      } catch (error) {
        return fail('bootstrapSettings', ctx)(error);
      }
    };
  }
  return guarded;
}

// Call an async hook; a synchronous throw and a rejection both go to onError.
async function invoke<T>(run: () => Promise<T>, onError: (error: unknown) => never): Promise<T> {
  try {
    return await run();
  } catch (error) {
    return onError(error);
  }
}
