// Planning the TLS files of a cluster with the system's openssl: the tool's CA made once per run and kept in the state
// directory, or the user's CA (signing with its key, or the certificates the user made), and the CA alone for a
// standby on this machine that verifies an upstream on another host.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSpec } from '../../src/config/cluster-spec.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { Action, WriteFileAction } from '../../src/executor/action.js';
import { HotstandbyError } from '../../src/errors/hotstandby-error.js';
import { localMachine } from '../../src/hosts/local-machine.js';
import { certificateFits, issueServerCertificate, makeCertificateAuthority } from '../../src/tls/openssl-certificates.js';
import { tlsFiles } from '../../src/tls/tls-decisions.js';
import { authorityFiles, ensureTlsMaterial } from '../../src/tls/tls-material-plan.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hotstandby-tls-plan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A primary on db1, a standby on db2, and a standby on this machine; every data directory under the test's directory.
function spec(name: string, tls?: unknown): ClusterSpec {
  return resolveConfig(
    {
      stateDir: path.join(dir, name, 'state'),
      primary: { name: 'a', host: '198.18.0.2', dataDir: path.join(dir, name, 'a') },
      standbys: [
        { name: 'b', host: 'db2.example.com', dataDir: path.join(dir, name, 'b') },
        { name: 'd', dataDir: path.join(dir, name, 'd'), port: 5440 },
      ],
      ...(tls === undefined ? {} : { tls }),
    },
    { kind: 'inline', dir },
  );
}
const writes = (actions: Action[]) => actions.filter((a): a is WriteFileAction => a.kind === 'write-file');
const written = (actions: Action[], file: string) => writes(actions).find((a) => a.path === file)?.content;

describe('the TLS files a plan writes', () => {
  it("makes one CA for every node planned in a run, keeps it in <stateDir>/tls, and signs each server's certificate for its name", async () => {
    const s = spec('own');
    const [forA, forB] = await Promise.all([ensureTlsMaterial(s, 'a', localMachine), ensureTlsMaterial(s, 'b', localMachine)]);
    const ca = authorityFiles(s.stateDir);
    expect(written(forA, ca.cert)).toBeDefined();
    expect(written(forB, ca.cert)).toBe(written(forA, ca.cert));
    expect(writes(forA).find((a) => a.path === ca.key)).toMatchObject({ secret: true, mode: 0o600 });
    const caCert = written(forA, ca.cert)!;
    expect(written(forA, tlsFiles(s.primary.dataDir).ca)).toBe(caCert);
    expect(await certificateFits(caCert, written(forA, tlsFiles(s.primary.dataDir).cert)!, ['198.18.0.2'])).toBe(true);
    expect(await certificateFits(caCert, written(forA, tlsFiles(s.primary.dataDir).cert)!, ['198.18.0.3'])).toBe(false);
    expect(await certificateFits(caCert, written(forB, tlsFiles(s.standbys[0]!.dataDir).cert)!, ['db2.example.com'])).toBe(true);
    expect(writes(forB).find((a) => a.path === tlsFiles(s.standbys[0]!.dataDir).key)).toMatchObject({ secret: true, mode: 0o600, owner: 'server' });
  });

  it('plans nothing once the files fit, and replaces a key others can read (PostgreSQL would refuse it)', async () => {
    const s = spec('refit');
    for (const action of await ensureTlsMaterial(s, 'a', localMachine)) {
      if (action.kind === 'mkdir') await mkdir(action.path, { recursive: true, mode: action.mode });
      if (action.kind === 'write-file') await writeFile(action.path, action.content, { mode: action.mode });
    }
    expect(await ensureTlsMaterial(s, 'a', localMachine)).toEqual([]);
    const files = tlsFiles(s.primary.dataDir);
    await chmod(files.key, 0o644);
    expect(writes(await ensureTlsMaterial(s, 'a', localMachine)).map((a) => a.path)).toEqual([files.key, files.cert]);
  });

  it('gives a standby on this machine only the CA it verifies its upstream on another host with', async () => {
    const s = spec('local-standby');
    const forD = await ensureTlsMaterial(s, 'd', localMachine);
    const files = tlsFiles(s.standbys[1]!.dataDir);
    expect(writes(forD).map((a) => a.path)).toEqual([authorityFiles(s.stateDir).key, authorityFiles(s.stateDir).cert, files.ca]);
  });

  it('names in the certificate of a node on this machine the addresses its standbys on other hosts reach it at', async () => {
    const s = resolveConfig(
      { stateDir: path.join(dir, 'local-primary', 'state'), primary: { dataDir: path.join(dir, 'local-primary', 'm') }, standbys: [{ name: 'b', host: 'db2', dataDir: '/srv/b' }] },
      { kind: 'inline', dir },
    );
    const actions = await ensureTlsMaterial(s, 'master', localMachine, ['198.18.0.1', '198.18.7.1']);
    const files = tlsFiles(s.primary.dataDir);
    expect(writes(actions).find((a) => a.path === files.key)).toMatchObject({ secret: true, mode: 0o600, owner: 'server' });
    expect(writes(actions).find((a) => a.path === files.key)).not.toHaveProperty('node');
    const caCert = written(actions, authorityFiles(s.stateDir).cert)!;
    expect(await certificateFits(caCert, written(actions, files.cert)!, ['198.18.0.1', '198.18.7.1'])).toBe(true);
    expect(await certificateFits(caCert, written(actions, files.cert)!, ['198.18.0.9'])).toBe(false);
  });

  it("signs with the user's CA key, which stays where it is: nothing is kept in the state directory", async () => {
    const userCa = await makeCertificateAuthority('user CA');
    await writeFile(path.join(dir, 'user-ca.crt'), userCa.cert);
    await writeFile(path.join(dir, 'user-ca.key'), userCa.key, { mode: 0o600 });
    const s = spec('user-ca', { ca: 'user-ca.crt', caKey: 'user-ca.key' });
    const forA = await ensureTlsMaterial(s, 'a', localMachine);
    expect(writes(forA).map((a) => a.path)).toEqual(expect.not.arrayContaining([authorityFiles(s.stateDir).key, authorityFiles(s.stateDir).cert]));
    expect(written(forA, tlsFiles(s.primary.dataDir).ca)).toBe(userCa.cert);
    expect(await certificateFits(userCa.cert, written(forA, tlsFiles(s.primary.dataDir).cert)!, ['198.18.0.2'])).toBe(true);
    expect(JSON.stringify(forA)).not.toContain(userCa.key.split('\n')[1]);
  });

  it('installs the certificates the user made, and refuses an unreadable file naming its key', async () => {
    const userCa = await makeCertificateAuthority('user CA 2');
    await writeFile(path.join(dir, 'ca2.crt'), userCa.cert);
    await writeFile(path.join(dir, 'ca2.key'), userCa.key, { mode: 0o600 });
    const made = await issueServerCertificate({ cert: userCa.cert, keyFile: path.join(dir, 'ca2.key') }, ['db2.example.com']);
    await writeFile(path.join(dir, 'b.crt'), made.cert);
    await writeFile(path.join(dir, 'b.key'), made.key, { mode: 0o600 });
    const certs = { a: { cert: 'missing.crt', key: 'missing.key' }, b: { cert: 'b.crt', key: 'b.key' } };
    const s = spec('user-certs', { ca: 'ca2.crt', certs });
    const forB = await ensureTlsMaterial(s, 'b', localMachine);
    const files = tlsFiles(s.standbys[0]!.dataDir);
    expect(written(forB, files.cert)).toBe(await readFile(path.join(dir, 'b.crt'), 'utf8'));
    expect(writes(forB).find((a) => a.path === files.key)).toMatchObject({ content: made.key, secret: true, mode: 0o600 });
    const error = await ensureTlsMaterial(s, 'a', localMachine).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HotstandbyError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/cannot read .*missing\.crt, named by tls\.certs\.a\.cert/) });
  });
});

describe('without openssl on this machine', () => {
  it('making the CA is one BINARY_MISSING error saying what needs openssl and the two ways out', async () => {
    const saved = process.env.PATH;
    process.env.PATH = await mkdtemp(path.join(os.tmpdir(), 'hotstandby-no-openssl-'));
    try {
      const error = await makeCertificateAuthority('hotstandby test CA').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HotstandbyError);
      expect((error as HotstandbyError).code).toBe('BINARY_MISSING');
      expect((error as HotstandbyError).message).toMatch(/needs the openssl program on this machine/);
      expect((error as HotstandbyError).fix).toMatch(/apt-get install openssl.*"tls": false/);
    } finally {
      await rm(process.env.PATH, { recursive: true, force: true });
      process.env.PATH = saved;
    }
  });
});
