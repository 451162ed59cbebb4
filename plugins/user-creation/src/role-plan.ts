import { HotstandbyError, passwordMatchesVerifier, quoteIdent, quoteLiteral, scramVerifier, type Action, type StepContext } from '@hotstandby/core';
import { createHash } from 'node:crypto';

// The replication role as it exists on the server.
export interface ExistingRole {
  rolname: string;
  rolcanlogin: boolean;
  rolreplication: boolean;
  rolsuper: boolean;
  rolconnlimit: number;
  rolpassword: string | null;
}

// Read the role (pg_authid, superuser only) or undefined when it does not exist.
export async function readRole(ctx: StepContext, name: string): Promise<ExistingRole | undefined> {
  return ctx.primary.queryOne<ExistingRole & Record<string, unknown>>(
    'SELECT rolname, rolcanlogin, rolreplication, rolsuper, rolconnlimit, rolpassword FROM pg_authid WHERE rolname = $1',
    [name],
  );
}

// The stored form of the password: a SCRAM verifier computed here (md5 before PostgreSQL 10), never the plain text.
export function passwordHash(ctx: StepContext, user: string, password: string): { sql: string; display: string } {
  if (ctx.facts.scram) return { sql: scramVerifier(password), display: '<SCRAM-SHA-256 verifier computed by hotstandby>' };
  return {
    sql:
      'md5' +
      createHash('md5')
        .update(password + user)
        .digest('hex'),
    display: '<md5 hash computed by hotstandby>',
  };
}

// The SQL that creates the role or brings a role the tool created back to the config; refuses to change a role it did not create.
export function planRole(ctx: StepContext, existing: ExistingRole | undefined): { actions: Action[]; notes: string[] } {
  const { user, connectionLimit } = ctx.spec.replication;
  const password = ctx.secrets.replicationPassword;
  const node = ctx.primary.name;
  if (!existing) {
    const hash = passwordHash(ctx, user, password);
    const head = `CREATE ROLE ${quoteIdent(user)} WITH LOGIN REPLICATION CONNECTION LIMIT ${connectionLimit} PASSWORD `;
    return {
      actions: [
        {
          kind: 'sql',
          node,
          sql: head + quoteLiteral(hash.sql),
          display: head + `'${hash.display}'`,
          journal: { kind: 'role', node, role: user },
          summary: `create the replication role ${user}`,
        },
      ],
      notes: [],
    };
  }
  const ours = ctx.state.roleCreatedByTool(node, user);
  // An md5 verifier cannot answer the scram-sha-256 rule hba-config writes, even when the password matches.
  const storedAsMd5 = ctx.facts.scram && (existing.rolpassword ?? '').startsWith('md5');
  const passwordOk = passwordMatchesVerifier(existing.rolpassword, password, user) && !storedAsMd5;
  const problems: string[] = [];
  if (!existing.rolcanlogin) problems.push('it cannot log in (NOLOGIN)');
  if (!existing.rolreplication) problems.push('it lacks the REPLICATION attribute');
  if (existing.rolsuper) problems.push('it is a superuser, more than replication needs');
  if (storedAsMd5) problems.push('its password is stored as an md5 hash, which the scram-sha-256 replication rule in pg_hba.conf cannot check');
  else if (!passwordOk) problems.push('its password is not replication.password');
  if (!ours) {
    if (storedAsMd5 && problems.length === 1) {
      throw new HotstandbyError('ROLE_CONFLICT', `the role ${user} already exists on ${node}, and ${problems[0]}`, {
        where: { node, key: 'replication.user' },
        fix: `hotstandby does not change a role it did not create: store its password as SCRAM yourself (SET password_encryption = 'scram-sha-256'; ALTER ROLE ${quoteIdent(user)} PASSWORD '...', then set replication.password to it), or choose another replication.user`,
      });
    }
    if (problems.length > 0) {
      throw new HotstandbyError('ROLE_CONFLICT', `the role ${user} already exists on ${node}, and ${problems.join('; ')}`, {
        where: { node, key: 'replication.user' },
        fix: `hotstandby does not change a role it did not create: choose another replication.user, or fix the role yourself (ALTER ROLE ${quoteIdent(user)} WITH LOGIN REPLICATION NOSUPERUSER PASSWORD '...') and set replication.password to its password`,
      });
    }
    const notes = [`reusing the existing role ${user} (LOGIN REPLICATION, password matches)`];
    if (existing.rolconnlimit !== connectionLimit) notes.push(`its CONNECTION LIMIT stays ${existing.rolconnlimit}: hotstandby does not alter a role it did not create`);
    return { actions: [], notes };
  }
  const changes: string[] = [];
  if (!existing.rolcanlogin) changes.push('LOGIN');
  if (!existing.rolreplication) changes.push('REPLICATION');
  if (existing.rolsuper) changes.push('NOSUPERUSER');
  if (existing.rolconnlimit !== connectionLimit) changes.push(`CONNECTION LIMIT ${connectionLimit}`);
  if (changes.length === 0 && passwordOk) return { actions: [], notes: [] };
  const hash = passwordOk ? undefined : passwordHash(ctx, user, password);
  const head = `ALTER ROLE ${quoteIdent(user)} WITH ${[...changes, ...(hash ? ['PASSWORD '] : [])].join(' ')}`;
  return {
    actions: [
      {
        kind: 'sql',
        node,
        sql: head + (hash ? quoteLiteral(hash.sql) : ''),
        display: head + (hash ? `'${hash.display}'` : ''),
        summary: `bring the replication role ${user} back to the config (${[...changes, ...(hash ? ['password'] : [])].join(', ')})`,
      },
    ],
    notes: [],
  };
}
