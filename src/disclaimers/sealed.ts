import { MimeNode } from '@zone-eu/mailsplit';
import { classifyMessage } from './message-class.js';

/**
 * Whether a message's top header section marks it as sealed: signed, encrypted, or carrying a
 * DKIM signature that a disclaimer would break (null for machine mail the rewriter skips).
 * Used on receipt, where `disclaimers.signed: hold` turns it into a hold for review.
 */
export function sealedKind(headerSection: Buffer, skipMachineMail: boolean): 'signed' | 'encrypted' | 'dkim-signed' | null {
  const root = new MimeNode(false, {});
  root.addHeaderChunk(headerSection);
  root.parseHeaders();
  const { sealed, machine } = classifyMessage(root);
  // Machine mail gets no disclaimer anyway, so its signature is no reason to hold it.
  return machine && skipMachineMail ? null : sealed;
}
