import net from 'node:net';

// True when nothing listens on the port on the loopback addresses a local PostgreSQL uses.
export async function isPortFree(port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', '::1']) {
    const result = await tryListen(port, host);
    if (result === 'in-use') return false;
  }
  return true;
}

function tryListen(port: number, host: string): Promise<'free' | 'in-use' | 'unavailable'> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      resolve(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? 'in-use' : 'unavailable');
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

// The first free port from the preferred one upwards that is not already taken by another node.
export async function findFreePort(preferred: number, taken: ReadonlySet<number>, isFree: (port: number) => Promise<boolean> = isPortFree, attempts = 500): Promise<number> {
  for (let port = preferred, i = 0; i < attempts && port <= 65535; port++, i++) {
    if (taken.has(port)) continue;
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found in ${preferred}–${Math.min(65535, preferred + attempts - 1)}`);
}
