import type { ReadWriteRouter } from './read-write-router.js';

// The app's one table: orders placed with an idempotency key, so a write retried after a failover is not doubled.
export async function createSchema(router: ReadWriteRouter): Promise<void> {
  await router.write('CREATE TABLE IF NOT EXISTS orders (id uuid PRIMARY KEY, item text NOT NULL, placed_at timestamptz NOT NULL DEFAULT now())');
}

// Place an order (on the primary). Resolves once the primary acknowledged the commit.
export async function placeOrder(router: ReadWriteRouter, id: string, item: string): Promise<void> {
  await router.write('INSERT INTO orders (id, item) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, item]);
}

// The orders, read from a replica: may miss the newest ones while the replica is behind.
export async function listOrders(router: ReadWriteRouter): Promise<string[]> {
  return (await router.read<{ id: string }>('SELECT id FROM orders ORDER BY placed_at, id')).rows.map((r) => r.id);
}

// One order read back right after placing it: from the primary, so the customer sees their own write.
export async function orderJustPlaced(router: ReadWriteRouter, id: string): Promise<string | undefined> {
  return (await router.readFresh<{ item: string }>('SELECT item FROM orders WHERE id = $1', [id])).rows[0]?.item;
}
