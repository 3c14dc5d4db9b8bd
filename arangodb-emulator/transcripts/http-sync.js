// Synchronous HTTP for the replay harness: arangosh scripts call the server
// synchronously, so the shim blocks the main thread (Atomics.wait) while a
// worker thread performs the request over a keep-alive connection.
'use strict';

const { Worker, MessageChannel, receiveMessageOnPort } = require('node:worker_threads');

const WORKER = `
const { workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const flag = new Int32Array(workerData.sab);
const port = workerData.port;
port.on('message', (req) => {
  let answered = false;
  const done = (res) => {
    if (answered) return;
    answered = true;
    res.seq = req.seq;
    port.postMessage(res);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  const url = new URL(req.path, req.base);
  const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  const headers = Object.assign({}, req.headers);
  if (body !== undefined) headers['content-length'] = body.length;
  const r = http.request(url, { method: req.method, headers, agent }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
  });
  r.setTimeout(10000, () => r.destroy(new Error('timeout')));
  r.on('error', (e) => done({ error: String(e) }));
  if (body !== undefined) r.write(body);
  r.end();
});
`;

/** A blocking HTTP client bound to one base URL. */
class SyncHttp {
  constructor(base) {
    this.base = base;
    this.sab = new SharedArrayBuffer(4);
    this.flag = new Int32Array(this.sab);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER, { eval: true, workerData: { sab: this.sab, port: port2 }, transferList: [port2] });
    this.worker.unref();
    this.seq = 0;
  }

  /** Sends one request and waits for the whole answer: {status, headers, body}. */
  request(method, path, body, headers) {
    const seq = ++this.seq;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ seq, base: this.base, method, path, body, headers: headers || {} });
    if (Atomics.wait(this.flag, 0, 0, 15000) === 'timed-out') throw new Error(`HTTP ${method} ${path}: no answer`);
    // answers to earlier requests that timed out are skipped
    let msg = receiveMessageOnPort(this.port);
    while (msg && msg.message.seq !== seq) msg = receiveMessageOnPort(this.port);
    if (!msg) throw new Error(`HTTP ${method} ${path}: lost answer`);
    if (msg.message.error) throw new Error(`HTTP ${method} ${path}: ${msg.message.error}`);
    return msg.message;
  }

  close() {
    return this.worker.terminate();
  }
}

module.exports = { SyncHttp };
