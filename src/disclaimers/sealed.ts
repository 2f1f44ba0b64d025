import { MimeNode } from '@zone-eu/mailsplit';
import { classifyMessage } from './message-class.js';

/**
 * Whether a message's top header section marks it as sealed: signed, encrypted, or carrying a
 * DKIM signature that a disclaimer would break. Used on receipt, where `disclaimers.signed:
 * hold` turns it into a hold for review.
 */
export function sealedKind(headerSection: Buffer): 'signed' | 'encrypted' | 'dkim-signed' | null {
  const root = new MimeNode(false, {});
  root.addHeaderChunk(headerSection);
  root.parseHeaders();
  const kind = classifyMessage(root);
  return kind === 'signed' || kind === 'encrypted' || kind === 'dkim-signed' ? kind : null;
}
