/** One corpus message: envelope, headers, body and the labels recorded while writing it. */
import { blocksHtml, blocksText, htmlDocument, rfcDate, type Block, type HtmlFlavour } from './doc.js';
import { Labels, type FindingLabel } from './labels.js';
import { multipart, renderMessage, textLeaf, type Charset, type Leaf, type MimeNode, type TextEncoding } from './mime.js';
import { PRACTICE_DOMAIN, classify, isInternal, type Address } from './people.js';
import type { Rng } from './random.js';

export type Verdict = 'deliver' | 'warn' | 'hold' | 'reject';

export interface LabelLine {
  readonly file: string;
  readonly mail_from: string;
  readonly rcpt_to: readonly string[];
  readonly category: string;
  readonly notes: string;
  readonly expected: {
    readonly verdict: Verdict;
    readonly findings: readonly FindingLabel[];
    readonly chain: { readonly earlierRecipients: number; readonly earlierExternalRecipients: number; readonly visibleExternalRecipients: number };
    readonly identifiable: boolean;
  };
}

export interface Built {
  readonly category: string;
  readonly raw: string;
  readonly label: Omit<LabelLine, 'file'>;
}

export type Shape = 'text' | 'html' | 'alt';

export interface BodyOptions {
  readonly shape: Shape;
  readonly flavour: HtmlFlavour;
  readonly charset?: Charset;
  readonly textEncoding?: TextEncoding;
  readonly htmlEncoding?: TextEncoding;
}

const MAILERS: Record<HtmlFlavour, string | undefined> = {
  outlook: 'X-Mailer: Microsoft Outlook 16.0',
  gmail: undefined,
  apple: 'X-Mailer: Apple Mail (2.3826.600.51.1.1)',
  thunderbird: 'User-Agent: Mozilla Thunderbird',
  plain: 'X-Mailer: DentalSoft Practice Manager 7.2',
};

export class Msg {
  readonly labels = new Labels();
  from: Address;
  to: Address[] = [];
  cc: Address[] = [];
  bcc: Address[] = [];
  subject = '';
  date: number;
  notes: string[] = [];
  /** Envelope sender when it differs from From. */
  mailFrom?: string;
  flavour: HtmlFlavour = 'plain';
  inReplyTo?: string;

  constructor(
    readonly rng: Rng,
    readonly category: string,
    from: Address,
  ) {
    this.from = from;
    this.date = Date.UTC(2025, 0, 6) + rng.int(0, 320) * 86_400_000 + rng.int(7 * 3600, 18 * 3600) * 1000;
  }

  /** An earlier moment in the same conversation. */
  earlier(hoursBack: number): number {
    return this.date - hoursBack * 3_600_000 - this.rng.int(60, 3000) * 1000;
  }

  boundary(): string {
    switch (this.flavour) {
      case 'outlook':
        return `_000_${this.rng.token(8).toUpperCase()}${this.rng.token(16).toUpperCase()}_`;
      case 'gmail':
        return `000000000000${this.rng.token(16)}`;
      case 'apple':
        return `Apple-Mail=_${this.rng.token(8).toUpperCase()}-${this.rng.token(4).toUpperCase()}-${this.rng.token(4).toUpperCase()}-${this.rng.token(12).toUpperCase()}`;
      case 'thunderbird':
        return `------------${this.rng.token(24)}`;
      case 'plain':
        return `----=_Part_${this.rng.digits(6)}_${this.rng.digits(9)}.${this.rng.digits(13)}`;
    }
  }

  /** The body as text, HTML or both, in this message's client flavour. */
  body(blocks: readonly Block[], options: BodyOptions): MimeNode {
    this.flavour = options.flavour;
    const charset = options.charset ?? 'utf-8';
    const text = (): Leaf => textLeaf('text/plain', blocksText(blocks, this.labels), { charset, encoding: options.textEncoding ?? '7bit' });
    const html = (): Leaf =>
      textLeaf('text/html', htmlDocument(blocksHtml(blocks, options.flavour, this.labels), options.flavour).replace(/charset=utf-8/gi, `charset=${charset}`), {
        charset,
        encoding: options.htmlEncoding ?? (options.flavour === 'outlook' || options.flavour === 'gmail' ? 'quoted-printable' : '7bit'),
      });
    if (options.shape === 'text') return text();
    if (options.shape === 'html') return html();
    return multipart('alternative', this.boundary(), [text(), html()]);
  }

  mixed(body: MimeNode, attachments: readonly Leaf[]): MimeNode {
    return attachments.length === 0 ? body : multipart('mixed', this.boundary(), [body, ...attachments]);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** Renders the message and works out the expected verdict from the default policy. */
  build(root: MimeNode): Built {
    if (this.to.length === 0 && this.cc.length === 0 && this.bcc.length === 0) throw new Error('no recipients');
    const fromDomain = (this.from.email.split('@')[1] ?? PRACTICE_DOMAIN).toLowerCase();
    const mailer = MAILERS[this.flavour];
    const raw = renderMessage(
      {
        from: this.from,
        to: this.to,
        cc: this.cc,
        subject: this.subject,
        date: rfcDate(this.date),
        messageId: `${this.rng.token(12)}.${this.rng.token(6)}@${fromDomain}`,
        ...(this.inReplyTo ? { inReplyTo: this.inReplyTo } : {}),
        extra: mailer ? [mailer] : [],
      },
      root,
    );
    const rcpt: string[] = [];
    for (const a of [...this.to, ...this.cc, ...this.bcc]) if (!rcpt.some((r) => r.toLowerCase() === a.email.toLowerCase())) rcpt.push(a.email);
    const visible = new Set([...this.to, ...this.cc].map((a) => a.email.toLowerCase()));
    const visibleExternal = [...visible].filter((e) => !isInternal(e)).length;
    const chain = {
      earlierRecipients: this.labels.earlierRecipients,
      earlierExternalRecipients: this.labels.earlierExternalRecipients,
      visibleExternalRecipients: visibleExternal,
    };
    const classes = rcpt.map(classify);
    const identifiable = this.labels.identifiable;
    let verdict: Verdict = 'deliver';
    if (classes.includes('publishing') && this.labels.hasFindings) verdict = 'reject';
    else if (identifiable && classes.some((c) => c !== 'internal' && c !== 'secure')) verdict = 'hold';
    else if (classes.some((c) => c !== 'internal') && (chain.earlierExternalRecipients >= 3 || chain.visibleExternalRecipients >= 10)) verdict = 'warn';
    return {
      category: this.category,
      raw,
      label: {
        mail_from: this.mailFrom ?? this.from.email,
        rcpt_to: rcpt,
        category: this.category,
        notes: this.notes.join('; '),
        expected: { verdict, findings: this.labels.findingsList, chain, identifiable },
      },
    };
  }
}
