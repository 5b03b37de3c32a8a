// Loopback ports for the local services: a free one by default, or a fixed one that must really be free.
import { createServer, connect } from 'node:net';

/** Asks the kernel for a free loopback port (listen on 0), then releases it for the service to bind. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port the kernel assigned'));
      });
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether this process could bind 127.0.0.1:port right now. */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Picks the port for one service: the fixed port asked for (checked to be free, with a message naming the
 * variable to change), or a free one.
 */
export async function pickPort(service: string, requested: number | undefined, envVar: string, taken: ReadonlySet<number>): Promise<number> {
  if (requested === undefined) {
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      if (!taken.has(port)) return port;
    }
    throw new Error(`${service}: could not find a free loopback port after 20 tries`);
  }
  if (!Number.isInteger(requested) || requested < 1 || requested > 65535) {
    throw new Error(`${service}: ${envVar} must be a port number between 1 and 65535, but got ${JSON.stringify(requested)}.`);
  }
  if (taken.has(requested) || !(await canBind(requested))) {
    throw new Error(
      `${service}: port ${requested} on 127.0.0.1 is already in use by another process. ` +
        `Stop that process, set ${envVar} to another port, or unset ${envVar} to let the stack pick a free port.`,
    );
  }
  return requested;
}
