import net from 'node:net';

// A TCP proxy on 127.0.0.1 in front of a port, for partitions on demand: reset() drops every connection and refuses
// new ones (a link that fails loudly); blackhole() keeps connections open but forwards nothing (packets lost
// silently); heal() forwards again.
export interface TcpProxy {
  port: number;
  reset(): void;
  blackhole(): void;
  heal(): void;
  close(): Promise<void>;
}

// Start a proxy to 127.0.0.1:targetPort on a free port.
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: 'forward' | 'refuse' | 'blackhole' = 'forward';
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    if (mode === 'refuse') return void client.destroy();
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (mode === 'forward') to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (server.address() as net.AddressInfo).port;
  const dropAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    reset: () => {
      mode = 'refuse';
      dropAll();
    },
    blackhole: () => {
      mode = 'blackhole';
    },
    heal: () => {
      // Connections that lost data while black-holed cannot resume: the walreceiver reconnects.
      if (mode === 'blackhole') dropAll();
      mode = 'forward';
    },
    close: async () => {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
