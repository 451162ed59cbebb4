import { isPortFree } from '@hotstandby/core';

const handedOut = new Set<number>();

// A free TCP port for a test server. Each vitest worker searches its own band of ports, so parallel test
// files do not race for the same one; within a worker no port is handed out twice.
export async function freePort(): Promise<number> {
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 0) % 40;
  const base = 20000 + worker * 1000;
  for (let i = 0; i < 1000; i++) {
    const port = base + ((Math.floor(Math.random() * 1000) + i) % 1000);
    if (handedOut.has(port)) continue;
    if (await isPortFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${base} and ${base + 999}`);
}
