// The only module of core that knows tsyringe. Registrations use factories and explicit tokens, never decorator
// metadata (esbuild-based runners such as tsx and vitest do not emit it).
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import type { ClusterSpec } from '../config/cluster-spec.js';
import type { BinaryCandidate } from '../postgres/binaries.js';
import type { LoadedPlugin } from '../cluster/resolve-steps.js';
import { Cluster } from '../cluster/cluster.js';

// Tokens of the services a composition root provides.
export const TOKENS = {
  // The step plugins available to the pipeline (built-ins plus the config's own).
  Plugins: Symbol('Plugins') as InjectionToken<readonly LoadedPlugin[]>,
  // Extra binary candidates tried after the system installations.
  BinaryFallbacks: Symbol('BinaryFallbacks') as InjectionToken<() => Promise<BinaryCandidate[]>>,
  // Builds a Cluster for a spec from the registered services.
  ClusterFactory: Symbol('ClusterFactory') as InjectionToken<(spec: ClusterSpec, pipeline?: readonly string[]) => Cluster>,
} as const;

// A fresh container with the cluster factory registered; the caller registers Plugins (and BinaryFallbacks).
export function createContainer(): DependencyContainer {
  const c = rootContainer.createChildContainer();
  c.register(TOKENS.ClusterFactory, {
    useFactory: (dc) => (spec: ClusterSpec, pipeline?: readonly string[]) =>
      new Cluster(spec, {
        plugins: dc.resolve(TOKENS.Plugins),
        pipeline,
        binaryFallbacks: dc.isRegistered(TOKENS.BinaryFallbacks, true) ? dc.resolve(TOKENS.BinaryFallbacks) : undefined,
      }),
  });
  return c;
}

export type { DependencyContainer };
