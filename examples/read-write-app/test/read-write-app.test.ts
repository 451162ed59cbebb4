import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appCluster } from '@hotstandby/testing/app';
import { createSchema, listOrders, orderJustPlaced, placeOrder, ReadWriteRouter } from '../src/index.js';

// The cluster vitest.config.ts's globalSetup started for this run: a primary and replica1, replica2.
const app = appCluster();
let router: ReadWriteRouter;

beforeAll(async () => {
  // The router gets every node: it finds the primary itself, so it keeps working after a switchover.
  const password = await app.password();
  router = new ReadWriteRouter(app.env.nodes.map((n) => ({ host: n.host, port: n.port, user: app.env.user, database: app.env.database, password })));
  await createSchema(router);
  await app.waitForReplicas();
});
afterAll(async () => {
  await router?.end();
});

describe('the read/write router against a primary and two replicas', () => {
  it('reads from a replica miss a new order while replay is paused; reading your own write goes to the primary', async () => {
    const marks = await Promise.all(['replica1', 'replica2'].map((n) => app.markLog(n)));
    await app.pauseReplay('replica1');
    await app.pauseReplay('replica2');
    try {
      const id = randomUUID();
      await placeOrder(router, id, 'book');
      // The stale read: both replicas serve the data they had before the order.
      expect(await listOrders(router)).not.toContain(id);
      expect(await listOrders(router)).not.toContain(id);
      // The fix the app uses for a customer's own order: read it from the primary.
      expect(await orderJustPlaced(router, id)).toBe('book');
    } finally {
      await app.resumeReplay('replica1');
      await app.resumeReplay('replica2');
    }
    await app.waitForReplicas();
    expect((await listOrders(router)).length).toBeGreaterThan(0);
    // The router never sent a write to a replica.
    await app.assertNoWritesOn('replica1', marks[0]);
    await app.assertNoWritesOn('replica2', marks[1]);
  });

  it('loses no acknowledged order when the primary is switched over under load', async () => {
    const oldPrimaryPort = router.primaryPort;
    const acknowledged: string[] = [];
    let switched = false;
    let afterSwitch = 0;
    // The load: orders one after another until 20 were acknowledged after the switchover finished.
    const load = (async () => {
      while (!switched || afterSwitch < 20) {
        const id = randomUUID();
        await placeOrder(router, id, 'load');
        acknowledged.push(id);
        if (switched) afterSwitch++;
      }
    })();
    // Let some orders in before the switch: wait for the first 20 acknowledgements (no fixed sleep).
    const { pollUntil } = await import('@hotstandby/core');
    await pollUntil(async () => (acknowledged.length >= 20 ? true : undefined), { timeoutMs: 30_000, what: '20 orders before the switchover' });
    const newPrimary = await app.switchover('replica1');
    switched = true;
    await load;

    expect(newPrimary).toBe('replica1');
    expect(router.primaryPort, 'the router follows the switchover').toBe(app.env.nodes.find((n) => n.name === 'replica1')!.port);
    expect(router.primaryPort).not.toBe(oldPrimaryPort);
    // Every acknowledged order is on the new primary, and on every replica once they caught up.
    await app.waitForReplicas();
    const stored = new Set(await listOrders(router));
    const lost = acknowledged.filter((id) => !stored.has(id));
    expect(lost, `${acknowledged.length} acknowledged orders`).toEqual([]);
    for (const replica of ['primary', 'replica2']) await app.assertNoWritesOn(replica, undefined);
  });
});
