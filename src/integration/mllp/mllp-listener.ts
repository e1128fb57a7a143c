/**
 * An MLLP listener (HL7 v2 over TCP, MLLP release 2: frames between 0x0B and 0x1C 0x0D). The
 * socket adapter only: frames go to a receiver, which stores and answers them; its answer
 * goes back framed. Frames of one connection are handled in order, so ACKs leave in the order
 * their messages came; connections run side by side. When a sender pipelines (sends ahead of
 * its ACKs), the frames that arrived while the previous ones were being handled go to the
 * receiver together, so it can store and process them in one transaction each (group commit).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { frameMessage, MllpDecoder } from '../hl7v2/mllp.ts';

export interface FrameReceiver {
  /** Stores and handles one framed message; resolves with the ACK to send back. */
  receive(frame: Uint8Array): Promise<Uint8Array>;
  /** Stores and handles frames of one connection in order; resolves with their ACKs, in order. */
  receiveMany?(frames: readonly Uint8Array[]): Promise<Uint8Array[]>;
}

export interface MllpListenerOptions {
  channel: string;
  port: number;
  host?: string;
  receiver: FrameReceiver;
  /** Larger frames are refused and the connection closed (a runaway sender, not a message). */
  maxFrameBytes?: number;
  logger?: Logger;
}

export const defaultMaxFrameBytes = 16 * 1024 * 1024;
/** Frames of a connection handed to the receiver at once, at most (a bound on a transaction). */
export const maxFramesPerBatch = 64;

interface Connection {
  /** Frames received and not yet handed to the receiver. */
  waiting: Uint8Array[];
  /** Handing frames to the receiver until none waits; settles once their ACKs were written. */
  pump: Promise<void> | undefined;
}

export class MllpListener {
  private readonly server: Server;
  private readonly connections = new Map<Socket, Connection>();

  constructor(private readonly options: MllpListenerOptions) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : this.options.port);
      });
    });
  }

  /** Stops accepting, lets every message in hand be stored and answered, then closes. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections.values()].map((c) => c.pump));
    for (const socket of this.connections.keys()) socket.end();
    await closed;
  }

  private accept(socket: Socket): void {
    const log = this.options.logger?.child({ channel: this.options.channel, peer: socket.remoteAddress });
    // An ACK is one small write per message: with Nagle's algorithm it would wait for the
    // sender's delayed TCP ACK of the previous one (up to 40 ms on Linux) before leaving.
    socket.setNoDelay(true);
    const decoder = new MllpDecoder({
      maxFrameBytes: this.options.maxFrameBytes ?? defaultMaxFrameBytes,
      onDiscard: ({ reason, bytes }) => {
        // An oversized frame is a runaway sender, not a message: nothing after it in this
        // stream can be trusted, so the connection closes (the sender sees no ACK and may
        // resend). Garbage between frames (keep-alive newlines) is only noted.
        if (reason === 'oversize') {
          log?.warn({ bytes }, 'MLLP frame larger than allowed; closing connection');
          socket.destroy();
        } else {
          log?.debug({ reason, bytes }, 'MLLP bytes outside a frame discarded');
        }
      },
    });
    const connection: Connection = { waiting: [], pump: undefined };
    this.connections.set(socket, connection);
    socket.on('data', (chunk: Buffer) => {
      const frames = decoder.push(chunk);
      if (socket.destroyed || frames.length === 0) return;
      connection.waiting.push(...frames);
      this.startPump(socket, connection, log);
    });
    socket.on('error', (err) => log?.debug({ err: err.message }, 'MLLP connection error'));
    socket.on('close', () => {
      void Promise.resolve(connection.pump).then(() => this.connections.delete(socket));
    });
  }

  private startPump(socket: Socket, connection: Connection, log: Logger | undefined): void {
    connection.pump ??= this.pump(socket, connection, log).finally(() => {
      connection.pump = undefined;
      if (connection.waiting.length > 0 && !socket.destroyed) this.startPump(socket, connection, log);
    });
  }

  private async pump(socket: Socket, connection: Connection, log: Logger | undefined): Promise<void> {
    const { receiver } = this.options;
    while (connection.waiting.length > 0 && !socket.destroyed) {
      const frames = connection.waiting.splice(0, receiver.receiveMany ? maxFramesPerBatch : 1);
      try {
        const acks = receiver.receiveMany ? await receiver.receiveMany(frames) : [await receiver.receive(frames[0]!)];
        if (!socket.destroyed) {
          // One system call for a pipelining sender's ACKs, not one each: a socket write was
          // 18 % of the receipt path's CPU (44 µs each; PostgreSQL, 8 connections).
          socket.cork();
          for (const ack of acks) socket.write(frameMessage(ack));
          socket.uncork();
        }
      } catch (err) {
        // The receiver answers every message it could store; reaching here means it could not
        // (the database is down): no ACK, so the sender keeps the messages and resends them.
        log?.error({ err }, 'message not stored; no ACK sent');
        connection.waiting.length = 0;
        socket.destroy();
      }
    }
  }
}
