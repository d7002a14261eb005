/**
 * A test double: a store that answers every call a macrotask later, as one across the network
 * would. The hub's tests run against it too, so the delivery logic never leans on a store that
 * happens to answer at once.
 */
import type { HubStore } from './hub-store.ts';

/** Wraps `inner` so that every method resolves after a `setImmediate`. */
export function delayedStore(inner: HubStore): HubStore {
  const later = <T>(run: () => T | Promise<T>): Promise<T> =>
    new Promise((resolve, reject) => setImmediate(() => Promise.resolve().then(run).then(resolve, reject)));
  return {
    addClient: (record) => later(() => inner.addClient(record)),
    getClient: (id) => later(() => inner.getClient(id)),
    updateClient: (id, changes) => later(() => inner.updateClient(id, changes)),
    removeClient: (id) => later(() => inner.removeClient(id)),
    listClients: () => later(() => inner.listClients()),
    countClients: (address) => later(() => inner.countClients(address)),
    enqueue: (clientId, request, limit) => later(() => inner.enqueue(clientId, request, limit)),
    take: (clientId, poll) => later(() => inner.take(clientId, poll)),
    restore: (clientId, batch) => later(() => inner.restore(clientId, batch)),
    redeliver: (clientId, ack) => later(() => inner.redeliver(clientId, ack)),
    settle: (clientId, requestId) => later(() => inner.settle(clientId, requestId)),
    unanswered: (clientId) => later(() => inner.unanswered(clientId)),
    lastSeq: (clientId) => later(() => inner.lastSeq(clientId)),
  };
}
