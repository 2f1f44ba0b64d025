import { cryptoKind } from './message-class.js';
import type { Node } from './mime-node.js';
import type { UntouchedReason } from './types.js';

/**
 * Which parts are the message's body, decided as each part's headers arrive (the rewriter
 * streams, so it never sees the whole tree at once): the root when it is text; every text
 * alternative of a multipart/alternative in body position; and in a multipart/mixed, related
 * or any other multipart, only its first text or multipart child. Never an attachment, a
 * text/calendar part, or anything inside an attached message (those are not split at all).
 */
export type Selection = { readonly kind: 'body' } | { readonly kind: 'other' } | { readonly kind: 'blocked'; readonly reason: UntouchedReason };

export class BodySelector {
  /** Multiparts in body position. */
  readonly #bodyContainers = new WeakSet<Node>();
  /** Mixed/related multiparts whose one body slot is taken. */
  readonly #claimed = new WeakSet<Node>();

  select(node: Node): Selection {
    if (!this.#inBodyPosition(node)) return { kind: 'other' };
    const crypto = cryptoKind(node);
    if (crypto) return { kind: 'blocked', reason: crypto };
    if (node.multipart) {
      this.#bodyContainers.add(node);
      return { kind: 'other' };
    }
    if (isTextBody(node)) return { kind: 'body' };
    return node.contentType === 'text/calendar' ? { kind: 'blocked', reason: 'calendar' } : { kind: 'other' };
  }

  /** True once a multipart in body position has given its body slot (or has alternatives). */
  hasBody(container: Node): boolean {
    return container.multipart === 'alternative' || this.#claimed.has(container);
  }

  #inBodyPosition(node: Node): boolean {
    const parent = node.parentNode;
    if (!parent) return node.multipart ? true : isTextBody(node);
    if (!this.#bodyContainers.has(parent)) return false;
    if (parent.multipart === 'alternative') return true;
    if (this.#claimed.has(parent) || !claimsBodySlot(node)) return false;
    this.#claimed.add(parent);
    return true;
  }
}

/** A text/plain or text/html part meant to be read in place, not a file. */
function isTextBody(node: Node): boolean {
  const type = node.contentType || 'text/plain';
  if (type !== 'text/plain' && type !== 'text/html') return false;
  return node.disposition !== 'attachment' && !node.filename;
}

/** The first child that can be the body of a mixed or related multipart: text, a multipart, or sealed content. */
function claimsBodySlot(node: Node): boolean {
  return Boolean(node.multipart) || isTextBody(node) || cryptoKind(node) !== null;
}
