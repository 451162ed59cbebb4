import path from 'node:path';
import type { ClusterSpec, ConfigSource, PluginReference } from './cluster-spec.js';
import type { ConfigOutput } from './config-schema.js';
import { invalidConfig } from '../errors/error-factories.js';

// True when a "plugins" entry names a local file (./x, ../x, /x, C:\x) rather than an npm package.
export function isFileSpecifier(specifier: string): boolean {
  return /^\.{1,2}([/\\]|$)/.test(specifier) || path.isAbsolute(specifier) || /^[A-Za-z]:[/\\]/.test(specifier);
}

// The plugins, pipeline and disable keys of a validated config, resolved against the config's directory.
export function pluginSettings(cfg: Pick<ConfigOutput, 'plugins' | 'pipeline' | 'disable'>, source: ConfigSource): Pick<ClusterSpec, 'plugins' | 'pipeline' | 'disable'> {
  const plugins: PluginReference[] = (cfg.plugins ?? []).map((entry, i) => {
    const [specifier, options] = typeof entry === 'string' ? [entry, undefined] : entry;
    const file = isFileSpecifier(specifier);
    return {
      kind: file ? 'file' : 'package',
      specifier,
      path: file ? path.resolve(source.dir, specifier) : undefined,
      baseDir: source.dir,
      options,
      key: `plugins[${i}]`,
    };
  });
  const disabled = new Set(cfg.disable ?? []);
  const both = (cfg.pipeline ?? []).find((name) => disabled.has(name));
  if (both !== undefined) {
    throw invalidConfig(source, `the step "${both}" is both in "pipeline" and in "disable"`, {
      code: 'CONFIG_CONFLICT',
      key: 'disable',
      fix: `remove "${both}" from one of them (a step left out of "pipeline" does not run anyway)`,
    });
  }
  return { plugins, pipeline: cfg.pipeline, disable: cfg.disable ? [...disabled] : undefined };
}
