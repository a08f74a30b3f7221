import WebSocket from 'ws';
import { waitUntil } from '../fixtures/wait-until';

/** A GraphQL error as it travels over the WebSocket. */
export interface WireError {
  readonly message: string;
  readonly extensions?: { readonly code?: string; readonly reason?: string; readonly capability?: string };
}

/** What the server sent for one subscription: data in order, errors, and whether it ended. */
export interface Received {
  readonly data: unknown[];
  readonly errors: WireError[];
  ended: boolean;
}

/** How the client opens its connection: `connectionParams` and the handshake's headers. */
export interface Handshake {
  readonly connectionParams?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

/**
 * A client of the graphql-ws protocol (`graphql-transport-ws`) that records every message the
 * server sends, per subscription: `next` payloads split into data and errors, `error`
 * payloads, `complete`. Spoken by hand so that a test sees exactly what went over the wire.
 */
export class GraphQlWsClient {
  private readonly received = new Map<string, Received>();
  private acknowledged = false;
  private closedWith: number | undefined;
  private nextId = 1;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw: Buffer) => this.record(JSON.parse(raw.toString()) as { type: string; id?: string; payload?: unknown }));
    socket.on('close', (code) => {
      this.closedWith = code;
    });
  }

  static async connect(url: string, handshake: Handshake): Promise<GraphQlWsClient> {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers: handshake.headers ?? {} });
    const client = new GraphQlWsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'connection_init', payload: handshake.connectionParams ?? {} }));
    await waitUntil(() => client.acknowledged || client.closedWith !== undefined, 'the server acknowledges the connection');
    if (!client.acknowledged) throw new Error(`connection refused (close code ${String(client.closedWith)})`);
    return client;
  }

  /** Starts a subscription; its messages are recorded under the returned id. */
  subscribe(query: string): string {
    const id = String(this.nextId++);
    this.received.set(id, { data: [], errors: [], ended: false });
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
    return id;
  }

  of(id: string): Received {
    const received = this.received.get(id);
    if (received === undefined) throw new Error(`no subscription ${id}`);
    return received;
  }

  /** Waits until the subscription has received `count` data messages. */
  async dataCount(id: string, count: number): Promise<void> {
    await waitUntil(() => this.of(id).data.length >= count || this.of(id).ended, `subscription ${id} receives ${count} event(s)`);
  }

  /** Waits until the server ended the subscription (an error, or complete). */
  async ended(id: string): Promise<Received> {
    await waitUntil(() => this.of(id).ended, `subscription ${id} ends`);
    return this.of(id);
  }

  close(): void {
    this.socket.close();
  }

  private record(message: { type: string; id?: string; payload?: unknown }): void {
    if (message.type === 'connection_ack') this.acknowledged = true;
    const received = message.id === undefined ? undefined : this.received.get(message.id);
    if (received === undefined) return;
    if (message.type === 'next') {
      const { data, errors } = message.payload as { data?: unknown; errors?: WireError[] };
      if (data !== undefined && data !== null) received.data.push(data);
      received.errors.push(...(errors ?? []));
    } else if (message.type === 'error') {
      received.errors.push(...(message.payload as WireError[]));
      received.ended = true;
    } else if (message.type === 'complete') {
      received.ended = true;
    }
  }
}
