import { randomBytes } from 'node:crypto';
import { link, open, unlink } from 'node:fs/promises';

// Create a file with its whole content, or nothing when it exists: written under a temp name first and
// hard-linked into place (link never replaces a file), so no reader ever sees it half-written or empty. False when
// the file exists.
export async function createExclusive(file: string, content: string, mode = 0o600): Promise<boolean> {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.new`;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
