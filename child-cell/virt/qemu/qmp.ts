import { createConnection, type Socket } from 'node:net';
import { VirtError } from '../driver.js';

type QmpEvent = { event: string; data?: Record<string, unknown> };
type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

/**
 * One QMP connection to one QEMU process (QEMU's JSON monitor on a unix socket): commands are
 * answered in order by id; events (STOP, RESUME, SHUTDOWN, ...) go to `onEvent`.
 */
export class QmpClient {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  onEvent: (event: QmpEvent) => void = () => undefined;
  onClose: () => void = () => undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.read(chunk));
    socket.on('close', () => this.end(new VirtError('the QMP connection closed')));
    socket.on('error', (err) => this.end(new VirtError(`QMP: ${err.message}`)));
  }

  /** Connects, reads the greeting and leaves capability negotiation, ready for commands. */
  static async connect(path: string, timeoutMs = 5000): Promise<QmpClient> {
    const socket = createConnection(path);
    const greeted = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new VirtError(`no QMP greeting on ${path} in ${timeoutMs} ms`)), timeoutMs);
      socket.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new VirtError(`QMP ${path}: ${err.message}`));
      });
    });
    await greeted.catch((err: unknown) => {
      socket.destroy();
      throw err;
    });
    const client = new QmpClient(socket);
    await client.execute('qmp_capabilities');
    return client;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new VirtError(`QMP connection closed before ${command}`));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.write(`${JSON.stringify({ execute: command, id, ...(args ? { arguments: args } : {}) })}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line) this.message(JSON.parse(line) as Record<string, unknown>);
      newline = this.buffer.indexOf('\n');
    }
  }

  private message(msg: Record<string, unknown>): void {
    if (typeof msg['event'] === 'string') {
      this.onEvent(msg as unknown as QmpEvent);
      return;
    }
    const id = typeof msg['id'] === 'string' ? msg['id'] : '';
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    const error = msg['error'] as { class?: string; desc?: string } | undefined;
    if (error) waiter.reject(new VirtError(`QMP ${error.class ?? 'error'}: ${error.desc ?? 'no description'}`));
    else waiter.resolve(msg['return']);
  }

  private end(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
    this.onClose();
  }
}
