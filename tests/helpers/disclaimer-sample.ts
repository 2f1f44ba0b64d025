import { createHash } from 'node:crypto';
import type { DisclaimerContent, RewriteSettings } from '../../src/disclaimers/types.js';

/**
 * A disclaimer as tests use it. The em dash is in windows-1252 but not in ISO-8859-1 or ASCII,
 * so a part in those charsets has to move to UTF-8 while a windows-1252 part keeps its charset.
 */
export const SAMPLE_TEMPLATE_TEXT =
  'Smile Dental Care Ltd — 12 High Street, Leeds LS1 4AB. Registered in England, company no. 01234567.\n' +
  'This email and any attachments are confidential and meant only for the addressee. If it reached you in error, please tell {{sender_name}} and delete it.';

export function sampleDisclaimer(senderName = 'the sender'): DisclaimerContent {
  const html =
    '<p style="margin:0">Smile Dental Care Ltd &mdash; 12 High Street, Leeds LS1 4AB. Registered in England, company no. 01234567.</p>\n' +
    `<p style="margin:0">This email and any attachments are confidential and meant only for the addressee. If it reached you in error, please tell ${senderName} and delete it.</p>`;
  return {
    marker: `mg-${createHash('sha256').update(SAMPLE_TEMPLATE_TEXT).digest('hex').slice(0, 12)}`,
    text: SAMPLE_TEMPLATE_TEXT.replace('{{sender_name}}', senderName),
    html,
    templateText: SAMPLE_TEMPLATE_TEXT,
  };
}

/** An all-ASCII disclaimer: fits any charset, so it goes into every part byte for byte. */
export const ASCII_DISCLAIMER: DisclaimerContent = {
  marker: 'mg-000000000001',
  text: 'Smile Dental Care Ltd, registered in England no. 01234567.\nThis email is confidential.',
  html: '<p>Smile Dental Care Ltd, registered in England no. 01234567.</p><p>This email is confidential.</p>',
  templateText: 'Smile Dental Care Ltd, registered in England no. 01234567.\nThis email is confidential.',
};

export const DEFAULT_SETTINGS: RewriteSettings = {
  placement: 'reply',
  repeat: 'once-per-thread',
  signed: 'skip',
  skipMachineMail: true,
  maxBodyPartSize: 4 * 1024 * 1024,
};
