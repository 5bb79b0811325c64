/**
 * A small TCP proxy on 127.0.0.1 for fault tests: it forwards bytes both ways
 * and can be told to misbehave.
 *
 *   stall()           stop forwarding both ways, close nothing: a silent network
 *   resume()          forward again (what was held is delivered)
 *   cut()             destroy both sides of every open connection
 *   cutAfterBytes(n)  forward n more bytes (either direction, summed), then cut
 *
 * Counters: bytesUp (client → target), bytesDown (target → client),
 * connections (accepted so far), openConnections.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface FaultProxyOptions {
  readonly targetPort: number;
  readonly targetHost?: string;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  upstreamReady: boolean;
  /** Sides that have closed; the other side is ended once the proxy is not stalled. */
  readonly closedSides: Set<Socket>;
  /** Sockets whose reading is held back by the destination's backpressure. */
  readonly blocked: Set<Socket>;
}

export class TcpFaultProxy {
  bytesUp = 0;
  bytesDown = 0;
  connections = 0;
  private readonly pairs = new Set<Pair>();
  private stalled = false;
  /** Set between the last allowed byte of cutAfterBytes and the cut itself. */
  private cutting = false;
  /** Bytes still allowed before a cut; undefined = unlimited. */
  private budget: number | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(opts: FaultProxyOptions): Promise<TcpFaultProxy> {
    const targetHost = opts.targetHost ?? '127.0.0.1';
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (!addr || typeof addr !== 'object') throw new Error('proxy has no address');
    const proxy = new TcpFaultProxy(server, addr.port);
    server.on('connection', (client) => proxy.accept(client, targetHost, opts.targetPort));
    return proxy;
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  stall(): void {
    this.stalled = true;
    for (const p of this.pairs) this.updateFlow(p);
  }

  resume(): void {
    this.stalled = false;
    for (const p of this.pairs) {
      this.updateFlow(p);
      this.propagateClose(p);
    }
  }

  cut(): void {
    this.cutting = false;
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
  }

  cutAfterBytes(n: number): void {
    this.budget = Math.max(0, n);
    if (this.budget === 0) this.cut();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    this.connections++;
    const upstream = createConnection({ host, port });
    const pair: Pair = { client, upstream, upstreamReady: false, blocked: new Set(), closedSides: new Set() };
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    upstream.on('connect', () => {
      pair.upstreamReady = true;
      this.updateFlow(pair);
    });
    this.wire(pair, client, upstream, 'up');
    this.wire(pair, upstream, client, 'down');
    for (const side of [client, upstream]) {
      side.on('close', () => {
        pair.closedSides.add(side);
        this.propagateClose(pair);
      });
    }
    upstream.pause();
  }

  private wire(pair: Pair, from: Socket, to: Socket, dir: 'up' | 'down'): void {
    from.on('data', (chunk: Buffer) => {
      if (this.cutting) return;
      let out = chunk;
      let cutNow = false;
      if (this.budget !== undefined) {
        if (out.length >= this.budget) {
          out = out.subarray(0, this.budget);
          cutNow = true;
        }
        this.budget -= out.length;
      }
      if (dir === 'up') this.bytesUp += out.length;
      else this.bytesDown += out.length;
      if (cutNow) {
        this.budget = undefined;
        this.cutting = true;
        for (const p of this.pairs) this.updateFlow(p);
        to.write(out, () => this.cut());
        return;
      }
      if (!to.write(out)) {
        pair.blocked.add(from);
        this.updateFlow(pair);
      }
    });
    to.on('drain', () => {
      pair.blocked.delete(from);
      this.updateFlow(pair);
    });
    from.on('end', () => to.end());
  }

  /** A silent network tells nobody that the other side went away. */
  private propagateClose(p: Pair): void {
    if (p.closedSides.size === 2) {
      this.pairs.delete(p);
      return;
    }
    if (this.stalled) return;
    for (const side of p.closedSides) (side === p.client ? p.upstream : p.client).end();
  }

  private updateFlow(p: Pair): void {
    for (const s of [p.client, p.upstream]) {
      const flow = !this.stalled && !this.cutting && p.upstreamReady && !p.blocked.has(s);
      if (flow) s.resume();
      else s.pause();
    }
  }
}

export function startFaultProxy(opts: FaultProxyOptions): Promise<TcpFaultProxy> {
  return TcpFaultProxy.start(opts);
}
