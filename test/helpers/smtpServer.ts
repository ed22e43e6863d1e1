import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { AddressObject, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the server accepted (answered 250 to its DATA). */
export interface ReceivedMail {
  mail: ParsedMail;
  /** The envelope's sender and recipients. */
  mailFrom: string;
  rcptTo: string[];
  /** The authenticated user, when the client logged in. */
  user: string | undefined;
}

/** Options of a {@link SmtpStandIn}. */
export interface SmtpStandInOptions {
  /** Accepted credentials; any login is refused (535) when set and they differ. Defaults to none (no AUTH needed). */
  auth?: { user: string; pass: string };
}

/**
 * A real SMTP server (smtp-server + mailparser) on loopback, for nodemailer to deliver to.
 *
 * - `refusals`: SMTP reply codes to refuse the next messages with, one each (451 is "try again
 *   later", 550 is "never").
 * - `stop()` and `start(port)` take it down and bring it back on the same port, for
 *   "the mail server was down for a while".
 * - `mailFromDelayMs` holds the reply to MAIL FROM, so a client is caught in the middle of a
 *   transaction (nothing of the message has been sent yet).
 *
 * A message counts as received only once it arrived in full; a client that vanishes in the
 * middle of DATA leaves nothing behind.
 *
 * @example
 * const smtp = new SmtpStandIn();
 * const port = await smtp.start();
 * // … config: { type: 'email', from, to, smtp: { host: '127.0.0.1', port, secure: false } }
 * expect(smtp.received.map((r) => r.mail.subject)).toEqual([...]);
 */
export class SmtpStandIn {
  readonly received: ReceivedMail[] = [];
  readonly refusals: number[] = [];
  /** Messages refused so far, with the code they got. */
  readonly refused: { subject: string | undefined; code: number }[] = [];
  mailFromDelayMs = 0;
  #server: SMTPServer | undefined;
  #port = 0;
  readonly #opts: SmtpStandInOptions;

  constructor(opts: SmtpStandInOptions = {}) {
    this.#opts = opts;
  }

  /** The port it listens (or last listened) on. */
  get port(): number {
    return this.#port;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  /** Starts listening on `port` (a free one by default, or the last one after a `stop`). Resolves with the port. */
  async start(port = this.#port): Promise<number> {
    if (this.#server) return this.#port;
    const { auth } = this.#opts;
    const server = new SMTPServer({
      authOptional: !auth,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(a, _session, cb) {
        if (auth && a.username === auth.user && a.password === auth.pass) cb(null, { user: a.username });
        else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onMailFrom: (_address, _session, cb) => {
        if (this.mailFromDelayMs > 0) setTimeout(() => cb(), this.mailFromDelayMs);
        else cb();
      },
      onData: (stream, session, cb) => {
        simpleParser(stream).then(
          (mail) => {
            const code = this.refusals.shift();
            if (code) {
              this.refused.push({ subject: mail.subject, code });
              return cb(Object.assign(new Error(code < 500 ? 'Try again later' : 'Mailbox unavailable'), { responseCode: code }));
            }
            this.received.push({
              mail,
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              user: session.user as string | undefined,
            });
            cb();
          },
          (err: Error) => cb(err),
        );
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.server.address() as AddressInfo).port;
    return this.#port;
  }

  /** Stops listening and drops every open connection. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((r) => {
      server.close(() => r());
      // close() waits for connections to end by themselves; pooled clients keep theirs open
      for (const c of (server as unknown as { connections: Set<{ close(): void }> }).connections) c.close();
    });
  }

  /** Received messages whose subject mentions `needle`. */
  about(needle: string): ReceivedMail[] {
    return this.received.filter((r) => (r.mail.subject ?? '').includes(needle));
  }
}

/** The addresses of a parsed address header. */
export function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  return [a ?? []].flat().flatMap((o) => o.value.map((v) => v.address ?? ''));
}
