import { HotstandbyError, type ErrorLocation } from '../errors/hotstandby-error.js';
import type { PgNode } from './pg-node.js';

// The text of a server's pg_hba.conf (the file its hba_file names), read on its machine; a file that is not there is
// one PATH_UNREACHABLE error naming the server and the file (where: more of where it happened, a step, say).
export async function readHbaFile(node: PgNode, file: string, where: ErrorLocation = {}): Promise<string> {
  const bytes = await node.machine.readFile(file);
  if (bytes === undefined) {
    throw new HotstandbyError('PATH_UNREACHABLE', `${node.name}'s pg_hba.conf ${file} does not exist on ${node.machine.label}`, {
      where: { node: node.name, file, ...where },
      fix: 'check hba_file (SHOW hba_file) on that server: it must name an existing file',
    });
  }
  return bytes.toString('utf8');
}
