import path from 'node:path';
import {
  checkFileWritable,
  definePlugin,
  formatHbaRule,
  HBA_BLOCK_BEGIN,
  HBA_BLOCK_END,
  managedRules,
  readHbaFile,
  plannedInsertion,
  withManagedBlock,
  z,
  type NodeAction,
  type StepContext,
  type WriteFileAction,
} from '@hotstandby/core';
import { checkHbaErrors, checkReplicationLogin } from './hba-checks.js';
import { replicationRules, standbySources } from './hba-rules.js';

const options = z.strictObject({});

// What apply runs itself: the new pg_hba.conf (checked before and after, put back if PostgreSQL rejects it) and
// the reload that makes the server read it. Absent when the file already lets the role replicate.
interface HbaParts {
  write: WriteFileAction;
  reload: NodeAction;
}

// The pg_hba.conf the server really reads (SHOW hba_file), or the one initdb will write for a planned primary.
async function hbaFile(ctx: StepContext): Promise<string> {
  if (ctx.isPlanned(ctx.primary)) return path.join(ctx.primary.dataDir, 'pg_hba.conf');
  return ctx.primary.settingPath('hba_file');
}

// The pg_hba.conf text on the primary's machine.
function readHba(ctx: StepContext, file: string): Promise<string> {
  return readHbaFile(ctx.primary, file, { step: 'hba-config' });
}

// The rules the primary's pg_hba.conf must hold (standbys on other machines are asked where they connect from).
async function wantedRules(ctx: StepContext) {
  return replicationRules(ctx, await standbySources(ctx));
}

// The user's own rules that matched the replication role's loopback replication connections first and refused
// them (reject): the block placed before them overrides them, which the user should hear about.
async function overriddenRules(ctx: StepContext, current: string): Promise<string[]> {
  const user = ctx.spec.replication.user;
  // Lines of hotstandby's own block (its reject rules for the role's ordinary connections) are not the user's.
  const lines = current.split(/\r?\n/);
  const begin = lines.indexOf(HBA_BLOCK_BEGIN) + 1;
  const end = lines.indexOf(HBA_BLOCK_END) + 1;
  const ours = (line: number) => begin > 0 && end > begin && line >= begin && line <= end;
  const rows = await ctx.primary
    .query<{ line_number: number; auth_method: string }>(
      "SELECT line_number, auth_method FROM pg_hba_file_rules WHERE error IS NULL AND auth_method = 'reject' AND ('replication' = ANY(database) OR 'all' = ANY(database)) AND ($1 = ANY(user_name) OR 'all' = ANY(user_name)) AND type IN ('host', 'hostssl', 'hostnossl', 'local') ORDER BY line_number",
      [user],
    )
    .catch(() => []);
  return rows
    .filter((r) => !ours(r.line_number))
    .map(
      (r) =>
        `your pg_hba.conf line ${r.line_number} rejects replication connections of ${user}; hotstandby's rule for ${user} from 127.0.0.1 now comes before it and lets them in (other addresses and roles still meet your line)`,
    );
}

// Step 2 of the recipe: pg_hba.conf lets the replication role make replication connections from loopback,
// and nothing more. The rule lives in a marked block placed before every other rule, so none can shadow it.
export default definePlugin<z.infer<typeof options>, HbaParts>({
  name: 'hba-config',
  description: 'Let the replication role connect for replication from 127.0.0.1 (scram-sha-256), first in pg_hba.conf.',
  scope: 'primary',
  options,
  async preflight(ctx) {
    if (ctx.isPlanned(ctx.primary) || !(await ctx.primary.isRunning())) return;
    const file = await hbaFile(ctx);
    await checkHbaErrors(ctx, file, 'before');
    const current = await readHba(ctx, file);
    // A file on another host is checked by the atomic write there (it changes nothing when it fails).
    if (withManagedBlock(current, await wantedRules(ctx)) !== current && !ctx.primary.machine.remote) {
      await checkFileWritable(file, `${ctx.primary.name}'s pg_hba.conf`, { node: ctx.primary.name, step: 'hba-config' });
    }
  },
  async plan(ctx) {
    const file = await hbaFile(ctx);
    const rules = await wantedRules(ctx);
    if (ctx.isPlanned(ctx.primary)) {
      return {
        actions: [],
        described: [
          {
            changes: true,
            summary: `insert the hotstandby block at the top of ${file}`,
            details: plannedInsertion(file, 'as initdb writes it', 'before the first rule', [HBA_BLOCK_BEGIN, ...rules.map(formatHbaRule), HBA_BLOCK_END]),
          },
        ],
      };
    }
    const current = await readHba(ctx, file);
    const wanted = withManagedBlock(current, rules);
    if (wanted === current)
      return {
        actions: [],
        notes: [
          `${file} already lets ${ctx.spec.replication.user} replicate (hotstandby's block has ${managedRules(current).length} rule${managedRules(current).length === 1 ? '' : 's'})`,
        ],
      };
    const write: WriteFileAction = {
      kind: 'write-file',
      path: file,
      node: ctx.primary.name,
      content: wanted,
      owner: 'server',
      mode: 0o600,
      summary: `let ${ctx.spec.replication.user} replicate in ${file}`,
    };
    const reload: NodeAction = { kind: 'node', node: ctx.primary.name, op: 'reload', summary: `reload ${ctx.primary.name}` };
    return { notes: await overriddenRules(ctx, current), actions: [write, reload], parts: { write, reload } };
  },
  async apply(ctx, plan) {
    const changing = plan.parts;
    if (changing) {
      const { write, reload } = changing;
      await checkHbaErrors(ctx, write.path, 'before');
      const original = await readHba(ctx, write.path);
      await ctx.run([write]);
      try {
        await checkHbaErrors(ctx, write.path, 'after');
      } catch (error) {
        await ctx.run([{ ...write, content: original, summary: `put ${write.path} back as it was` }]);
        throw error;
      }
      await ctx.run([reload]);
    }
    const untested = await checkReplicationLogin(ctx);
    if (untested) {
      ctx.log.warn(`the replication login cannot be tested yet: ${untested}; verify proves it at the end`);
      return { summary: `${changing ? 'rule added; ' : ''}replication login not tested yet: ${untested}` };
    }
    return { summary: changing ? 'rule added, replication login works' : 'replication login works' };
  },
});
