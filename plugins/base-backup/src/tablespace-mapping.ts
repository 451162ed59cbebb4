import path from 'node:path';
import { z } from '@hotstandby/core';

// The base-backup option that gives standbys their own tablespace directories: the primary's tablespace location
// (absolute) to the standby's, where {node} in the value stands for the standby's name.
export const tablespaceMappingOption = z
  .record(
    z.string(),
    z.string().refine((p) => path.isAbsolute(p), { error: 'must be an absolute path (use {node} for the standby name), such as "/srv/pg/ts1-{node}"' }),
  )
  .superRefine((mapping, ctx) => {
    for (const key of Object.keys(mapping)) {
      if (!path.isAbsolute(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          input: key,
          message: "the key must be the primary's tablespace location, an absolute path (SELECT pg_tablespace_location(oid) FROM pg_tablespace)",
        });
      }
    }
  })
  .optional();

// One tablespace of the upstream and where this standby gets it.
export interface MappedTablespace {
  name: string;
  // Where the upstream has it (what pg_basebackup's --tablespace-mapping must name as OLD).
  upstreamLocation: string;
  // The primary's location it derives from: the key of the mapping.
  primaryLocation: string;
  // This standby's directory for it.
  location: string;
}

// The mapped location of a primary tablespace location for one node, or undefined when the mapping lacks it.
export function mappedLocation(mapping: Record<string, string> | undefined, primaryLocation: string, node: string): string | undefined {
  const value = mapping?.[primaryLocation];
  return value === undefined ? undefined : path.resolve(value.replaceAll('{node}', node));
}

// The primary location an upstream's tablespace came from: the location itself on the primary, otherwise the
// mapping key whose value, for the upstream standby, is that location.
export function primaryLocationOf(mapping: Record<string, string> | undefined, location: string, upstream: string, upstreamIsPrimary: boolean): string | undefined {
  if (upstreamIsPrimary) return location;
  return Object.keys(mapping ?? {}).find((key) => mappedLocation(mapping, key, upstream) === path.resolve(location));
}

// pg_basebackup's --tablespace-mapping argument: an "=" inside a path is escaped with a backslash.
export function tablespaceMappingArg(from: string, to: string): string {
  const escaped = (p: string) => p.replaceAll('=', '\\=');
  return `--tablespace-mapping=${escaped(from)}=${escaped(to)}`;
}
