// The only module of core that knows tsyringe. Registrations use factories and explicit tokens, never decorator
// metadata (esbuild-based runners such as tsx and vitest do not emit it).
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import type { ClusterSpec } from '../config/cluster-spec.js';
import type { ProgressListener } from '../postgres/embedded/install-embedded.js';
import type { LoadedPlugin } from '../cluster/resolve-steps.js';
import { Cluster } from '../cluster/cluster.js';

// Tokens of the services a composition root provides.
export const TOKENS = {
  // The step plugins available to the pipeline (built-ins plus the config's own).
  Plugins: Symbol('Plugins') as InjectionToken<readonly LoadedPlugin[]>,
  // Where download progress of embedded binaries goes (the CLI's progress bar).
  DownloadProgress: Symbol('DownloadProgress') as InjectionToken<ProgressListener>,
  // Builds a Cluster for a spec from the registered services.
  ClusterFactory: Symbol('ClusterFactory') as InjectionToken<(spec: ClusterSpec, pipeline?: readonly string[]) => Cluster>,
} as const;

// A fresh container with the cluster factory registered; the caller registers Plugins (and DownloadProgress).
export function createContainer(): DependencyContainer {
  const c = rootContainer.createChildContainer();
  c.register(TOKENS.ClusterFactory, {
    useFactory: (dc) => (spec: ClusterSpec, pipeline?: readonly string[]) =>
      new Cluster(spec, {
        plugins: dc.resolve(TOKENS.Plugins),
        pipeline,
        onDownloadProgress: dc.isRegistered(TOKENS.DownloadProgress, true) ? dc.resolve(TOKENS.DownloadProgress) : undefined,
      }),
  });
  return c;
}

export type { DependencyContainer };
