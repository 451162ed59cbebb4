import { z } from 'zod';
import { isKnownMajor, parseMajor } from '../postgres/versions.js';
import { NODE_NAME_PATTERN, STEP_NAME_PATTERN } from './name-patterns.js';

// The patterns live apart so the engine can check names without loading zod.

const port = z
  .int({ error: 'must be a whole number from 1 to 65535' })
  .min(1, { error: 'must be from 1 to 65535' })
  .max(65535, { error: 'must be from 1 to 65535' })
  .meta({ description: 'TCP port the node listens on (127.0.0.1).' });

const nodeName = z
  .string({ error: 'must be a string' })
  .regex(NODE_NAME_PATTERN, { error: 'must start with a lower-case letter and use only a-z, 0-9, _ and - (at most 40 characters)' });

const path = z.string({ error: 'must be a path (string)' }).min(1, { error: 'must not be empty' });

const secret = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .refine((s) => !/[\0\r\n]/.test(s), { error: 'must not contain a line break or NUL character' });

const envName = z.string({ error: 'must be the name of an environment variable' }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: 'must be the name of an environment variable (letters, digits, _)',
});

const stepName = z.string({ error: 'must be a step name' }).regex(STEP_NAME_PATTERN, { error: 'must be a step name: lower-case letters and digits, words joined by "-"' });

const pluginSpecifier = z.string({ error: 'must be a path or a package name' }).min(1, { error: 'must not be empty' });

const SIZE_MESSAGE = 'must be a size such as "1GB", "512MB" or a number of megabytes';
const size = z.union([z.int({ error: SIZE_MESSAGE }).min(0, { error: SIZE_MESSAGE }), z.string().regex(/^\s*\d+\s*(B|kB|MB|GB|TB)?\s*$/i, { error: SIZE_MESSAGE })], {
  error: SIZE_MESSAGE,
});

// The validated shape of a hotstandby config file (before defaults and path resolution).
// Where a node lives when not on this machine: a host reached with the system's OpenSSH client.
const nodeHost = z
  .string({ error: 'must be a host name or address' })
  .regex(/^[A-Za-z0-9_.:%-]+$/, { error: 'must be a host name or an address (letters, digits, ".", "-", "_", ":")' })
  .meta({
    description:
      "The host this node lives on, reached over SSH with the system's OpenSSH client (absent: this machine): a name, an address or an alias from your ssh config; the address ssh resolves it to (ssh -G) must be one the other hosts reach.",
  });

// How to reach a node's host over SSH, besides what ~/.ssh/config says.
const sshSettings = z
  .strictObject({
    user: z.string().min(1).optional().meta({ description: 'Account to log in as (root, or the account that runs PostgreSQL there).' }),
    port: port.optional(),
    identityFile: path.optional().meta({ description: 'Private key to log in with (default: your agent and ~/.ssh).' }),
    options: z
      .array(z.string().regex(/^[A-Za-z]+=.+$/, { error: 'must be an ssh option as Key=Value' }))
      .optional()
      .meta({ description: 'Extra ssh options as Key=Value ("StrictHostKeyChecking=yes").' }),
  })
  .meta({ description: 'How to reach the host over SSH (optional; ~/.ssh/config applies).' });

// Encryption of replication between hosts.
const tlsSettings = z
  .union(
    [
      z.literal('auto'),
      z.literal(false),
      z.strictObject({
        ca: path.meta({ description: "Your CA's certificate (PEM, a file on this machine); servers and standbys verify each other against it." }),
        caKey: path
          .optional()
          .meta({ description: "That CA's private key (a file on this machine, read by openssl here, never copied): hotstandby signs each server's certificate with it." }),
        certs: z
          .record(
            z.string(),
            z.strictObject({
              cert: path.meta({ description: "The server's certificate (PEM, a file on this machine), naming the node's host in subjectAltName." }),
              key: path.meta({ description: "The server's private key (a file on this machine); copied only over SSH into a 0600 file on the node's host." }),
            }),
          )
          .optional()
          .meta({ description: 'Certificates you made, keyed by node name; needed for every node on another host when caKey is not given.' }),
      }),
    ],
    { error: 'must be "auto", false, or { "ca": "...", "caKey": "..." } (see the JSON Schema)' },
  )
  .meta({
    description:
      'TLS for replication between hosts. "auto" (default): on when a standby streams from a node on another host: hotstandby makes a CA (in <stateDir>/tls, key kept there) and a certificate per server, sets ssl = on, hostssl rules and sslmode=verify-full. false: off (replication between hosts is then unencrypted). An object: use your CA.',
  });

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    stateDir: path.optional().meta({ description: 'Where hotstandby keeps its state, logs and secrets. Default: .hotstandby beside the config file.' }),
    postgres: z
      .strictObject({
        binDir: path.optional().meta({ description: 'Directory holding postgres, initdb and pg_ctl, or "embedded" for the embedded binaries.' }),
        version: z
          .union([z.int(), z.string().regex(/^\d+(\.\d+)?$/, { error: 'must be a PostgreSQL major version such as 15 or "9.6"' })], {
            error: 'must be a PostgreSQL major version such as 15 or "9.6"',
          })
          // (A value that is not a version at all already failed the union above; zod runs refinements anyway.)
          .refine((v) => !/^\d+(\.\d+)?$/.test(String(v)) || isKnownMajor(parseMajor(String(v))), { error: 'must be a PostgreSQL major from 9.3 to 18' })
          .optional()
          .meta({ description: 'The PostgreSQL major to use (10 to 18 run here); binaries of that major are found or fetched.' }),
        osUser: z.string().min(1).optional().meta({ description: 'OS user that runs the servers when hotstandby runs as root (default postgres).' }),
      })
      .optional(),
    superuser: z
      .strictObject({
        name: z.string().min(1).max(63).optional().meta({ description: 'Superuser the tool connects as (default postgres).' }),
        password: secret.optional().meta({ description: "Password a new primary's superuser gets, and the tool uses to connect to an existing one." }),
        passwordEnv: envName.optional().meta({ description: 'Environment variable holding the superuser password (default HOTSTANDBY_SUPERUSER_PASSWORD).' }),
      })
      .optional(),
    primary: z
      .strictObject({
        name: nodeName.optional(),
        port: port.optional(),
        dataDir: path.optional().meta({ description: 'Data directory. Created with initdb when missing; adopted when it holds a cluster.' }),
        configDir: path.optional().meta({
          description:
            'For an existing primary whose postgresql.conf is outside its data directory (Debian: /etc/postgresql/15/main): that directory. Found by itself while the server runs.',
        }),
        host: nodeHost.optional(),
        ssh: sshSettings.optional(),
      })
      .optional(),
    standbys: z
      .array(
        z.strictObject({
          name: nodeName,
          port: port.optional(),
          dataDir: path.optional(),
          host: nodeHost.optional(),
          ssh: sshSettings.optional(),
          slot: z
            .string()
            .regex(/^[a-z0-9_]{1,63}$/, { error: 'must use only lower-case letters, digits and _ (at most 63), as PostgreSQL requires for slot names' })
            .optional()
            .meta({ description: 'Physical replication slot on its upstream (default: the node name with - replaced by _).' }),
          upstream: nodeName.optional().meta({ description: 'Stream from this standby instead of the primary (a cascaded standby).' }),
          synchronous: z.boolean().optional().meta({ description: 'List this standby in synchronous_standby_names (commits wait for it).' }),
          applyDelay: z
            .string()
            .regex(/^\s*\d+\s*(ms|s|min|h|d)?\s*$/, { error: 'must be a delay such as "5min", "30s", "1h" or "500ms"' })
            .optional()
            .meta({ description: 'Apply WAL this long after it was committed (recovery_min_apply_delay): a delayed standby.' }),
        }),
        { error: 'must be a list of standbys' },
      )
      .optional(),
    replication: z
      .strictObject({
        user: z.string().min(1).optional().meta({ description: 'Replication role (REPLICATION LOGIN).' }),
        password: secret.optional(),
        passwordEnv: envName.optional().meta({ description: 'Environment variable holding the replication password (default HOTSTANDBY_REPLICATION_PASSWORD).' }),
        connectionLimit: z.int().min(-1).optional().meta({ description: 'CONNECTION LIMIT of the role (-1: none).' }),
        synchronous: z
          .strictObject({
            method: z.enum(['FIRST', 'ANY', 'first', 'any'], { error: 'must be "FIRST" (priority) or "ANY" (quorum)' }).optional(),
            count: z.int().min(1).optional(),
          })
          .optional()
          .meta({ description: 'How the synchronous standbys are counted: FIRST n (priority, default) or ANY n (quorum); n defaults to 1.' }),
      })
      .optional(),
    tls: tlsSettings.optional(),
    durable: z.boolean({ error: 'must be true or false' }).optional().meta({
      description:
        "false for a throwaway cluster (test runs): hotstandby does not wait for the data directories it makes to reach the disk (no sync after its template and cold copies; pg_basebackup, initdb and the single-user session without fsync). A crash of the machine may then corrupt them. The servers' own settings (fsync, synchronous_commit) are unchanged. Default true.",
    }),
    archive: z
      .union([
        z.boolean(),
        z.strictObject({
          dir: path.optional().meta({ description: 'WAL archive directory (default: <stateDir>/archive).' }),
        }),
      ])
      .optional()
      .meta({ description: 'WAL archiving on the primary (archive_command) and restore_command on the standbys.' }),
    wal: z
      .strictObject({
        keepSize: size.optional().meta({ description: "WAL kept for standbys beyond slots (wal_keep_size; wal_keep_segments before 13). Default 1GB, the recipe's 64 segments." }),
        maxSlotKeepSize: size.optional().meta({ description: 'Upper bound of WAL a slot may hold (max_slot_wal_keep_size, 13+). Default: unlimited.' }),
        logHints: z.boolean().optional().meta({ description: 'Turn on wal_log_hints so a former primary can be rewound (default true).' }),
      })
      .optional(),
    plugins: z
      .array(
        z.union([pluginSpecifier, z.tuple([pluginSpecifier, z.record(z.string(), z.unknown(), { error: 'must be an object of options' })])], {
          error: (issue) => pluginEntryProblem(issue.input),
        }),
        { error: 'must be a list of plugins' },
      )
      .optional()
      .meta({
        description:
          'Custom step plugins: local files ("./steps/my-step.ts", relative to this file) or npm packages (resolved from this file\'s directory), optionally as ["name", { options }].',
      }),
    pipeline: z
      .array(stepName, { error: 'must be a list of step names' })
      .optional()
      .meta({ description: 'The steps to run, in order (default: the six built-in steps, with plugins placed by their before/after).' }),
    disable: z.array(stepName, { error: 'must be a list of step names' }).optional().meta({ description: 'Steps not to run, e.g. ["verify"] (built-in or from plugins).' }),
    steps: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .optional()
      .meta({ description: 'Options for each step, keyed by step name, e.g. { "base-backup": { "method": "pg_basebackup" } }.' }),
  })
  .meta({ title: 'hotstandby config', description: 'A PostgreSQL primary and its hot standbys.' });

// What is wrong with an entry of "plugins", in the words of the form the user seems to have meant.
function pluginEntryProblem(input: unknown): string {
  const forms = 'must be a path ("./steps/my-step.ts"), a package name, or ["package-or-path", { options }]';
  if (!Array.isArray(input)) return forms;
  if (input.length !== 2) return `as a list, must be ["package-or-path", { options }]: two items, not ${input.length}`;
  if (typeof input[0] !== 'string' || input[0] === '') return "the first item must be the plugin's path or package name";
  const second = input[1] === null ? 'null' : Array.isArray(input[1]) ? 'a list' : typeof input[1];
  return `the second item must be an object of options, such as { "level": 2 }, not ${second === 'object' ? 'that' : second}`;
}

// A config file's content as written by a user.
export type ConfigInput = z.input<typeof configSchema>;

// A config after validation.
export type ConfigOutput = z.output<typeof configSchema>;

// Type helper for hotstandby.config.ts files.
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
