import net from 'node:net';

// True when nothing listens on the port on 127.0.0.1 (and ::1 where IPv6 exists).
export async function isPortFree(port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', '::1']) {
    if ((await tryListen(port, host)) === 'in-use') return false;
  }
  return true;
}

function tryListen(port: number, host: string): Promise<'free' | 'in-use' | 'unavailable'> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? 'in-use' : 'unavailable'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

// Hold a port the way another program would (a plain TCP listener on 127.0.0.1) until release() is called.
export async function holdPort(port: number): Promise<{ release(): Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
