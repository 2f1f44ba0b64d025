import { domainOf } from '../core/envelope.js';

/**
 * internal: the practice's own domains; secure: e.g. nhs.net; publishing: post-by-email
 * addresses of blogs, photo and social sites (mail there is a public post); consumer:
 * personal webmail; external: everything else.
 */
export type RecipientClass = 'internal' | 'secure' | 'publishing' | 'consumer' | 'external';

export const RECIPIENT_CLASSES: readonly RecipientClass[] = ['internal', 'secure', 'publishing', 'consumer', 'external'];

export interface ClassDomains {
  readonly practiceDomains: readonly string[];
  readonly secureDomains: readonly string[];
  readonly publishingDomains: readonly string[];
  readonly consumerDomains: readonly string[];
}

/** True when `domain` is `base` or one of its subdomains. */
function within(domain: string, base: string): boolean {
  return domain === base || domain.endsWith(`.${base}`);
}

export function classifyRecipient(address: string, domains: ClassDomains): RecipientClass {
  const domain = domainOf(address);
  if (domains.practiceDomains.some((d) => within(domain, d))) return 'internal';
  if (domains.secureDomains.some((d) => within(domain, d))) return 'secure';
  if (domains.publishingDomains.some((d) => within(domain, d))) return 'publishing';
  if (domains.consumerDomains.some((d) => within(domain, d))) return 'consumer';
  return 'external';
}

/** Publishing sites with post-by-email addresses; a configurable default. */
export const DEFAULT_PUBLISHING_DOMAINS = [
  'post.wordpress.com',
  'blogger.com',
  'tumblr.com',
  'flickr.com',
  'photos.flickr.com',
  'post.livejournal.com',
  'posterous.com',
  'applet.ifttt.com',
  'ifttt.com',
  'ello.co',
  'medium.com',
  'substack.com',
];

/** Personal webmail and ISP mail common in the UK; a configurable default. */
export const DEFAULT_CONSUMER_DOMAINS = [
  'gmail.com',
  'googlemail.com',
  'hotmail.com',
  'hotmail.co.uk',
  'outlook.com',
  'outlook.co.uk',
  'live.com',
  'live.co.uk',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'ymail.com',
  'rocketmail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'aol.co.uk',
  'btinternet.com',
  'btopenworld.com',
  'sky.com',
  'talktalk.net',
  'tiscali.co.uk',
  'virginmedia.com',
  'ntlworld.com',
  'blueyonder.co.uk',
  'plus.com',
  'protonmail.com',
  'proton.me',
  'pm.me',
  'gmx.com',
  'gmx.co.uk',
  'mail.com',
  'zoho.com',
  'fastmail.com',
  'yandex.com',
];
