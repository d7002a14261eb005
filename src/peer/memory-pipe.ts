/**
 * Two connected in-memory duplex streams: what is written to one is read from the other. Node's
 * HTTP server takes one as a connection (`server.emit('connection', end)`), so a request listener
 * can be driven with raw HTTP bytes without a TCP socket.
 */
import { Duplex } from 'node:stream';

/** A connected pair of duplex streams; ending one ends what the other reads. */
export function memoryPipe(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        other().push(chunk);
        callback();
      },
      final(callback) {
        other().push(null);
        callback();
      },
      destroy(error, callback) {
        const peer = other();
        if (!peer.destroyed) peer.push(null);
        callback(error);
      },
    });
  ends.push(
    make(() => ends[1] as Duplex),
    make(() => ends[0] as Duplex),
  );
  return [ends[0] as Duplex, ends[1] as Duplex];
}
