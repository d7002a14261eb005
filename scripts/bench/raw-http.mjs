// A minimal keep-alive HTTP/1.1 client over one TCP socket, one request at a time: what each
// simulated long-poll client of the scale test uses, cheap enough to run 10,000 in one process.
import { connect } from 'node:net';

/** One persistent connection; `request` resolves with the status and the body text. */
export class RawHttpConnection {
  #socket;
  #host;
  #buffer = Buffer.alloc(0);
  #pending = null;

  constructor(port) {
    this.#host = `127.0.0.1:${port}`;
    this.#socket = connect({ port, host: '127.0.0.1', noDelay: true });
    this.#socket.on('data', (data) => this.#onData(data));
    const fail = (error) => {
      const pending = this.#pending;
      this.#pending = null;
      pending?.reject(error ?? new Error('the connection closed'));
    };
    this.#socket.on('error', fail);
    this.#socket.on('close', () => fail());
  }

  /** Sends a request with a body (framed by Content-Length) and awaits its response. */
  request(method, path, headers, body) {
    const bytes = Buffer.from(body);
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.#host}\r\nContent-Length: ${bytes.length}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#socket.write(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), bytes]));
    });
  }

  close() {
    this.#socket.destroy();
  }

  #onData(data) {
    this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.#buffer.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.#buffer.length < end + 4 + length) return;
    const body = this.#buffer.subarray(end + 4, end + 4 + length).toString();
    this.#buffer = this.#buffer.subarray(end + 4 + length);
    const pending = this.#pending;
    this.#pending = null;
    pending?.resolve({ status: Number(head.slice(9, 12)), body });
  }
}
