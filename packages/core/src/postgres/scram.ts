import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { saslprepOrRaw } from './saslprep.js';

// Iterations PostgreSQL uses by default for SCRAM-SHA-256 (scram_iterations, 4096).
export const SCRAM_ITERATIONS = 4096;

// A SCRAM-SHA-256 verifier computed on the client, so the plain password never reaches the server or its logs.
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const { storedKey, serverKey } = scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

// True when the stored rolpassword (SCRAM or md5) was made from this password for this role.
export function passwordMatchesVerifier(stored: string | null, password: string, roleName: string): boolean {
  if (!stored) return false;
  if (stored.startsWith('md5')) {
    const expected =
      'md5' +
      createHash('md5')
        .update(password + roleName, 'utf8')
        .digest('hex');
    return safeEqual(Buffer.from(stored), Buffer.from(expected));
  }
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(stored);
  if (!m) return false;
  const { storedKey, serverKey } = scramKeys(password, Buffer.from(m[2]!, 'base64'), Number(m[1]));
  return safeEqual(storedKey, Buffer.from(m[3]!, 'base64')) && safeEqual(serverKey, Buffer.from(m[4]!, 'base64'));
}

function scramKeys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(Buffer.from(saslprepOrRaw(password), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return { storedKey, serverKey };
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
