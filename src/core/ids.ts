import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encode(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[Number(rest & 31n)]! + out;
    rest >>= 5n;
  }
  return out;
}

/**
 * A queue id: 10 Crockford base32 characters of milliseconds then 8 of randomness.
 * Sortable by arrival, safe in file names, URLs and SMTP replies.
 */
export function newQueueId(now: number = Date.now()): string {
  const random = BigInt('0x' + randomBytes(5).toString('hex'));
  return encode(BigInt(now), 10) + encode(random, 8);
}

const QUEUE_ID = /^[0-9A-HJKMNP-TV-Z]{18}$/;

export function isQueueId(value: string): boolean {
  return QUEUE_ID.test(value);
}
