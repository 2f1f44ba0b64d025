import { contentTypeParam, hasHeader, headerValue, type Node } from './mime-node.js';
import type { UntouchedReason } from './types.js';

/**
 * What the top of a message says about it, before any body is read: mail that must not be
 * changed (a signature would break) and mail written by machines for machines.
 */
export interface MessageClass {
  /** A signature or encryption that a change would break. */
  readonly sealed: Extract<UntouchedReason, 'signed' | 'encrypted' | 'dkim-signed'> | null;
  /** Written by a machine for machines. */
  readonly machine: Extract<UntouchedReason, 'machine-generated' | 'calendar'> | null;
}

/** Signed or encrypted content types: changing a byte inside breaks them. */
export function cryptoKind(node: Node): 'signed' | 'encrypted' | null {
  const type = node.contentType || '';
  if (type === 'multipart/signed') return 'signed';
  if (type === 'multipart/encrypted') return 'encrypted';
  if (type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime') {
    // S/MIME opaque: smime-type=signed-data is readable but sealed; anything else is enveloped.
    return contentTypeParam(node, 'smime-type') === 'signed-data' ? 'signed' : 'encrypted';
  }
  return null;
}

export function classifyMessage(root: Node): MessageClass {
  const type = root.contentType || '';
  const machine = isMachineGenerated(root) ? 'machine-generated' : type === 'text/calendar' || type === 'application/ics' ? 'calendar' : null;
  return { sealed: cryptoKind(root) ?? (hasHeader(root, 'dkim-signature') ? 'dkim-signed' : null), machine };
}

/** Delivery and disposition reports, auto-replies (RFC 3834) and their common non-standard marks. */
function isMachineGenerated(root: Node): boolean {
  const type = root.contentType || '';
  if (type === 'multipart/report' || type === 'message/delivery-status' || type === 'message/disposition-notification') return true;
  const autoSubmitted = headerValue(root, 'auto-submitted').toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  if (/^auto[_-]?reply$/i.test(headerValue(root, 'precedence'))) return true;
  return hasHeader(root, 'x-autoreply') || hasHeader(root, 'x-autorespond');
}
