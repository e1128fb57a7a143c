/**
 * An MLLP sender: frames messages onto one TCP connection and pairs each ACK with the message
 * it answers, in order (MLLP answers on a connection in the order messages were sent). Used
 * by tests, the benchmark and anyone replaying a feed into a channel.
 */
import { connect, type Socket } from 'node:net';
import { frameMessage, MllpDecoder } from '../hl7v2/mllp.ts';

export class MllpClient {
  private readonly decoder = new MllpDecoder();
  private readonly waiting: { resolve: (ack: Buffer) => void; reject: (err: Error) => void }[] = [];
  private closedError: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const ack of this.decoder.push(chunk)) this.waiting.shift()?.resolve(ack);
    });
    const fail = (err: Error) => {
      this.closedError = err;
      for (const waiter of this.waiting.splice(0)) waiter.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed before the ACK arrived')));
  }

  static open(port: number, host = '127.0.0.1'): Promise<MllpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(new MllpClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one message; resolves with its ACK (payload, unframed). */
  send(message: Uint8Array | string): Promise<Buffer> {
    const ack = this.expectAck();
    this.socket.write(frameMessage(message));
    return ack;
  }

  /** The next ACK to arrive, for bytes sent with writeRaw. */
  expectAck(): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Sends bytes as they are (a frame in pieces, noise, an oversized frame): for tests. */
  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}
