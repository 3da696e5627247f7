import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Turns } from "../../src/jobs/turns.js";

/** Real sockets: what Turns must let through between two waiters is the poll phase's I/O. */
async function socketPair(): Promise<{ client: Socket; server: Socket; close: () => void }> {
  const listener = createServer();
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const accepted = once(listener, "connection");
  const client = connect((listener.address() as AddressInfo).port, "127.0.0.1");
  await once(client, "connect");
  const [server] = (await accepted) as [Socket];
  return {
    client,
    server,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

/** 20 waiters woken at once; the first writes to a socket. Returns when the peer read it, in waiters resumed. */
async function readAfterWaiters(wait: () => Promise<void>): Promise<number> {
  const { client, server, close } = await socketPair();
  cleanups.push(close);
  let resumed = 0;
  let readAt = -1;
  server.on("data", () => {
    if (readAt < 0) readAt = resumed;
  });
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      await wait();
      resumed++;
      if (i === 0) client.write("ping");
    }),
  );
  while (readAt < 0) await new Promise((resolve) => setTimeout(resolve, 1));
  return readAt;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe("Turns", () => {
  it("lets socket I/O run between waiters that plain setImmediate would run back to back", async () => {
    const turns = new Turns();
    const withTurns = await readAfterWaiters(() => turns.next());
    const withImmediates = await readAfterWaiters(() => new Promise((resolve) => setImmediate(resolve)));
    expect(withImmediates).toBe(20);
    expect(withTurns).toBeLessThan(5);
  });

  it("resumes every waiter once, in order", async () => {
    const turns = new Turns();
    const order: number[] = [];
    await Promise.all(Array.from({ length: 50 }, (_, i) => turns.next().then(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // The pump stops when nobody waits, and starts again for the next one.
    await turns.next();
  });
});
