import type { PgNode } from '../postgres/pg-node.js';

// Where the primary's current timeline branched off its parent, from its timeline history file (undefined on
// timeline 1). Reads the timeline from the current WAL file name, so it needs no checkpoint after a promotion.
export async function timelineFork(primary: PgNode): Promise<string | undefined> {
  const { fn, walDir } = primary.facts;
  const row = await primary.queryOne<{ file: string }>(`SELECT ${fn.walFileName}(${fn.currentWalLsn}()) AS file`);
  const tli = row?.file.slice(0, 8);
  if (!tli || Number.parseInt(tli, 16) <= 1) return undefined;
  const history = await primary.queryOne<{ content: string }>('SELECT pg_read_file($1) AS content', [`${walDir}/${tli}.history`]).catch(() => undefined);
  const last = history?.content
    .trim()
    .split('\n')
    .filter((l) => /^\d/.test(l))
    .pop();
  return last?.split(/\s+/)[1];
}
