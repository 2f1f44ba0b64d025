import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { duration, size } from './zod-units.js';
import { policySchema } from './policy-schema.js';
import { checkPortClashes } from './port-clash.js';

const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'expected a domain name such as "example-dental.co.uk"')
  .transform((d) => d.toLowerCase());

const cidr = z.string().refine(
  (value) => {
    try {
      if (value.includes('/')) ipaddr.parseCIDR(value);
      else if (!isIP(value)) return false;
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an address or CIDR range such as "192.168.1.0/24" or "127.0.0.1"' },
);
/**
 * A trusted network may relay without logging in: a range wider than any private network
 * (an IPv4 prefix under /8, an IPv6 prefix under /7) holds public addresses by the million,
 * which would make an open relay.
 */
const trustedCidr = cidr.refine(
  (value) => {
    if (!value.includes('/')) return true;
    try {
      const [address, bits] = ipaddr.parseCIDR(value.trim());
      if (address.kind() === 'ipv4') return bits >= 8;
      const v6 = address as ipaddr.IPv6;
      return v6.isIPv4MappedAddress() ? bits - 96 >= 8 : bits >= 7;
    } catch {
      return true; // not a range at all: the check above reports it
    }
  },
  { message: "this range is wider than any private network and would make an open relay; list only the practice's own networks" },
);

const port = z.number().int().min(0).max(65535);
const UPSTREAM_PORT = 'expected a port number 1-65535: 587 for submission, 465 for implicit TLS, 25 for a smarthost';

const listener = z
  .object({
    name: z.string().min(1).optional().describe('label for logs and metrics'),
    host: z.string().default('0.0.0.0').describe('address to bind'),
    port: port.describe('TCP port; 0 picks a free one (tests)'),
    mode: z
      .enum(['starttls', 'tls', 'plain'])
      .describe('starttls: submission (587); tls: implicit TLS (465); plain: trusted networks only, no AUTH'),
  })
  .strict();

const limits = z
  .object({
    maxMessageSize: size('35MB').describe('SIZE advertised and enforced, declared or not'),
    maxRecipients: z.number().int().min(1).max(10_000).default(100),
    maxLineLength: z.number().int().min(78).max(1_000_000).default(998).describe('octets, without CRLF'),
    maxHeaderSize: size('256KiB').describe('the header section of a message'),
    maxClients: z.number().int().min(1).max(100_000).default(200).describe('connections at once on each listener; the next is told 421 and closed'),
    idleTimeout: duration('5m').describe('socket idle timeout'),
    authFailures: z
      .object({
        max: z.number().int().min(1).max(1000).default(5).describe('failed logins per client address'),
        window: duration('15m'),
        coolDown: duration('15m').describe('how long a client address is refused after too many failures'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const tlsFiles = z
  .object({
    cert: z.string().min(1).describe('PEM certificate chain file'),
    key: z.string().min(1).describe('PEM private key file'),
  })
  .strict();

const smtp = z
  .object({
    hostname: z.string().min(1).optional().describe('name in the greeting and trace headers; default: the host name'),
    listeners: z
      .array(listener)
      .min(1)
      .default([{ name: 'submission', host: '0.0.0.0', port: 587, mode: 'starttls' }]),
    tls: tlsFiles.optional().describe('omit to generate a self-signed certificate in the data directory'),
    allowInsecureAuth: z.boolean().default(false).describe('offer AUTH without TLS: loopback testing only'),
    trustedNetworks: z.array(trustedCidr).default([]).describe('clients that may relay without AUTH'),
    reverseDnsLookup: z.boolean().default(false).describe('look up each client address in DNS'),
    limits: limits.prefault({}),
  })
  .strict();

const upstreamSmtp = z
  .object({
    type: z.literal('smtp'),
    host: z.string().min(1),
    port: z
      .number()
      .int()
      .min(1, UPSTREAM_PORT)
      .max(65535, UPSTREAM_PORT)
      .default(587),
    secure: z.enum(['tls', 'starttls', 'none']).default('starttls'),
    allowPlaintext: z.boolean().default(false).describe('permit secure: none to a host that is not loopback'),
    auth: z
      .object({ user: z.string().min(1), pass: z.string().min(1) })
      .strict()
      .optional(),
    tls: z
      .object({
        rejectUnauthorized: z.boolean().default(true),
        servername: z.string().optional(),
        ca: z.string().optional().describe('PEM file of extra trusted CAs'),
      })
      .strict()
      .prefault({}),
    maxConnections: z.number().int().min(1).max(100).default(5),
    maxMessagesPerConnection: z.number().int().min(1).max(100_000).default(1000).describe('then the connection is closed (QUIT) and a fresh one opened'),
    idleTimeout: duration('30s').describe('an idle connection is closed (QUIT) after this, before the provider drops it'),
    connectionTimeout: duration('30s'),
    socketTimeout: duration('2m'),
  })
  .strict();

const upstreamCapture = z
  .object({
    type: z.literal('capture'),
    dir: z.string().min(1).optional().describe('DEMO ONLY: where delivered messages are written; default <dataDir>/outbox'),
  })
  .strict();

const delivery = z
  .object({
    concurrency: z.number().int().min(1).max(200).default(10),
    pollInterval: duration('1s'),
    lease: duration('10m').describe('how long a worker owns a message before another may retry it'),
    retry: z
      .object({
        initialDelay: duration('30s'),
        maxDelay: duration('1h'),
        factor: z.number().min(1).max(10).default(2),
        maxAge: duration('5d').describe('then the message bounces'),
      })
      .strict()
      .prefault({}),
    retention: duration('30d').describe('how long metadata of finished messages is kept'),
  })
  .strict();

const practiceDetails = {
  address: z.string().min(1).optional().describe('postal address, for the disclaimer field {{practice_address}}'),
  owner: z.string().min(1).optional().describe('GDC-registered owner, for {{practice_owner}}'),
  companyNumber: z.string().min(1).optional().describe('registered company number, for {{company_number}}'),
};

/** A sender group member: an address ("alice@example.org") or a whole domain ("@example.org"). */
const senderPattern = z
  .string()
  .regex(/^([^@\s]+@|@)[^@\s]+\.[^@\s]+$/, 'expected an address such as "alice@example.org" or a domain such as "@example.org"')
  .transform((s) => s.toLowerCase());

const disclaimers = z
  .object({
    enabled: z.boolean().default(true).describe('false: deliver every message untouched'),
    placement: z
      .enum(['reply', 'bottom'])
      .default('reply')
      .describe('reply: under the newest reply, above quoted earlier messages; bottom: at the very end'),
    repeat: z
      .enum(['once-per-thread', 'every-message'])
      .default('once-per-thread')
      .describe('once-per-thread: not added when the thread already carries it; every-message: added unless the newest part has it'),
    signed: z
      .enum(['skip', 'wrap', 'hold'])
      .default('skip')
      .describe('signed, encrypted or DKIM-signed mail: skip (deliver untouched), wrap (new multipart/mixed around the original), hold (for review)'),
    skipMachineMail: z.boolean().default(true).describe('leave delivery reports, auto-replies, read receipts and calendar-only messages untouched'),
    maxBodyPartSize: size('4MB').describe('a text or HTML body part bigger than this is left untouched'),
    groups: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'expected a group name of letters, digits, "-" or "_"'), z.array(senderPattern).min(1))
      .default({})
      .describe('sender groups for disclaimer texts: name -> addresses and @domains'),
    practices: z
      .record(
        domain,
        z
          .object({ name: z.string().min(1).optional(), ...practiceDetails })
          .strict(),
      )
      .default({})
      .describe('per practice domain: the template fields when several practices share one relay'),
  })
  .strict();

export const configSchema = z
  .object({
    practice: z
      .object({
        name: z.string().min(1).default('Dental Practice'),
        domains: z.array(domain).min(1).describe("the practice's own mail domains"),
        postcodes: z.array(z.string()).default([]).describe("the practice's own postcodes: never reported as patient data"),
        phones: z.array(z.string()).default([]).describe("the practice's own phone numbers"),
        staffNames: z.array(z.string()).default([]).describe('staff names: never reported as patient names'),
        ...practiceDetails,
      })
      .strict(),
    dataDir: z.string().min(1).default('./data'),
    smtp: smtp.prefault({}),
    upstream: z.discriminatedUnion('type', [upstreamSmtp, upstreamCapture]),
    delivery: delivery.prefault({}),
    policy: policySchema.prefault({}),
    disclaimers: disclaimers.prefault({}),
    store: z
      .object({
        engine: z.literal('sqlite').default('sqlite'),
        inlineBodyMax: size('128KiB')
          .pipe(z.number().max(16 * 1024 * 1024, 'at most 16MiB: larger bodies stream to spool files so memory stays flat'))
          .describe('bodies up to this size are kept inside the database (one fsync per commit); larger ones as spool files'),
        minFreeSpace: size('64MiB').describe('/readyz reports the store not ready while the data directory has less free space than this'),
      })
      .strict()
      .prefault({}),
    admin: z
      .object({ host: z.string().default('127.0.0.1'), port: port.default(8025) })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    checkPortClashes(config, ctx);
    const up = config.upstream;
    if (up.type === 'smtp' && up.secure === 'none' && !up.allowPlaintext && !isLoopbackHost(up.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['upstream', 'secure'],
        input: up.secure,
        message: `plaintext to ${up.host} would expose patient mail; use "starttls" or "tls", or set upstream.allowPlaintext: true`,
      });
    }
  });

export type Config = z.output<typeof configSchema>;
export type UpstreamConfig = Config['upstream'];
export type ListenerConfig = Config['smtp']['listeners'][number];
export type DisclaimersConfig = Config['disclaimers'];

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (!isIP(host)) return false;
  return ipaddr.process(host).range() === 'loopback';
}
