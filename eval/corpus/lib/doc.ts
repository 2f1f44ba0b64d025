/**
 * Message bodies as a list of blocks, rendered twice: as plain text and as HTML in the style of
 * the client that wrote it. Forwarded and quoted earlier messages are blocks too, rendered with
 * each client's header block, so chains nest to any depth.
 */
import { MONTHS, WEEKDAYS, pad2 } from './identifiers.js';
import type { Labels } from './labels.js';
import type { Address } from './people.js';

export type ClientStyle = 'outlook' | 'outlook-old' | 'gmail' | 'apple' | 'thunderbird';

/** How an earlier recipient is shown: name and address, address only, name only (discloses nothing), or a mailto link. */
export interface Recip {
  readonly addr: Address;
  readonly show: 'both' | 'addr' | 'name' | 'mailto';
}

export interface Earlier {
  readonly from: Address;
  readonly to: readonly Recip[];
  readonly cc: readonly Recip[];
  /** UTC milliseconds. */
  readonly date: number;
  readonly subject: string;
  readonly body: readonly Block[];
}

export type Block =
  | { readonly t: 'p'; readonly text: string }
  | { readonly t: 'fields'; readonly rows: readonly (readonly [string, string])[] }
  | { readonly t: 'pre'; readonly lines: readonly string[] }
  | { readonly t: 'list'; readonly items: readonly string[] }
  | { readonly t: 'lines'; readonly lines: readonly string[] }
  | { readonly t: 'table'; readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] }
  | { readonly t: 'chain'; readonly earlier: Earlier; readonly mode: 'forward' | 'reply'; readonly style: ClientStyle };

export const p = (text: string): Block => ({ t: 'p', text });
export const fields = (rows: readonly (readonly [string, string])[]): Block => ({ t: 'fields', rows });
export const pre = (lines: readonly string[]): Block => ({ t: 'pre', lines });
export const list = (items: readonly string[]): Block => ({ t: 'list', items });
export const lines = (ls: readonly string[]): Block => ({ t: 'lines', lines: ls });
export const table = (header: readonly string[], rows: readonly (readonly string[])[]): Block => ({ t: 'table', header, rows });
export const chain = (earlier: Earlier, mode: 'forward' | 'reply', style: ClientStyle): Block => ({ t: 'chain', earlier, mode, style });

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---- dates ---------------------------------------------------------------------------------

function parts(ms: number) {
  const d = new Date(ms);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate(), wd: d.getUTCDay(), hh: d.getUTCHours(), mi: d.getUTCMinutes(), ss: d.getUTCSeconds() };
}

/** RFC 5322 date, e.g. "Wed, 12 Mar 2025 10:14:33 +0000". */
export function rfcDate(ms: number): string {
  const x = parts(ms);
  return `${(WEEKDAYS[x.wd] ?? 'Monday').slice(0, 3)}, ${x.d} ${(MONTHS[x.m] ?? 'January').slice(0, 3)} ${x.y} ${pad2(x.hh)}:${pad2(x.mi)}:${pad2(x.ss)} +0000`;
}

/** Thunderbird's attribution date, e.g. "12/03/2025 10:14". */
function tbDate(ms: number): string {
  const x = parts(ms);
  return `${pad2(x.d)}/${pad2(x.m + 1)}/${x.y} ${pad2(x.hh)}:${pad2(x.mi)}`;
}

function clientDate(ms: number, style: ClientStyle, variant: number): string {
  const x = parts(ms);
  const month = MONTHS[x.m] ?? 'January';
  const wd = WEEKDAYS[x.wd] ?? 'Monday';
  switch (style) {
    case 'outlook':
      return variant % 2 === 0
        ? `${x.d} ${month} ${x.y} ${pad2(x.hh)}:${pad2(x.mi)}`
        : `${wd}, ${month} ${x.d}, ${x.y} ${((x.hh + 11) % 12) + 1}:${pad2(x.mi)} ${x.hh < 12 ? 'AM' : 'PM'}`;
    case 'outlook-old':
      return `${pad2(x.d)} ${month} ${x.y} ${pad2(x.hh)}:${pad2(x.mi)}`;
    case 'gmail':
      return `${wd.slice(0, 3)}, ${x.d} ${month.slice(0, 3)} ${x.y} at ${pad2(x.hh)}:${pad2(x.mi)}`;
    case 'apple':
      return `${x.d} ${month} ${x.y} at ${pad2(x.hh)}:${pad2(x.mi)}:${pad2(x.ss)} GMT`;
    case 'thunderbird':
      return rfcDate(ms);
  }
}

// ---- recipients in header blocks -------------------------------------------------------------

function recipText(r: Recip, style: ClientStyle): string {
  const { name, email } = r.addr;
  switch (r.show) {
    case 'name':
      return name;
    case 'addr':
      return style === 'gmail' ? `<${email}>` : email;
    case 'mailto':
      return style === 'outlook' || style === 'outlook-old' ? `${name} <mailto:${email}>` : `${name} <${email}>`;
    case 'both':
      return style === 'outlook' || style === 'outlook-old' ? (name.includes(' ') && style === 'outlook-old' ? `'${name}' <${email}>` : `${name} <${email}>`) : `${name} <${email}>`;
  }
}

function recipHtml(r: Recip, style: ClientStyle): string {
  const name = escapeHtml(r.addr.name);
  const email = r.addr.email;
  if (r.show === 'name') return name;
  if (r.show === 'mailto') return `<a href="mailto:${email}">${name}</a>`;
  const shown = r.show === 'addr' ? '' : `${name} `;
  switch (style) {
    case 'outlook':
    case 'outlook-old':
      return `${shown}&lt;${email}&gt;`;
    case 'gmail':
      return `${shown}&lt;<a href="mailto:${email}">${email}</a>&gt;`;
    case 'apple':
      return `${shown}&lt;<a href="mailto:${email}" class="">${email}</a>&gt;`;
    case 'thunderbird':
      return `${shown}<a class="moz-txt-link-rfc2396E" href="mailto:${email}">&lt;${email}&gt;</a>`;
  }
}

function register(labels: Labels, recips: readonly Recip[]): void {
  for (const r of recips) if (r.show !== 'name') labels.earlierRecipient(r.addr.email);
}

const sep = (style: ClientStyle) => (style === 'outlook' || style === 'outlook-old' ? '; ' : ', ');

// ---- text ----------------------------------------------------------------------------------

function quote(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.length === 0 ? '>' : l.startsWith('>') ? `>${l}` : `> ${l}`))
    .join('\n');
}

function chainText(block: Extract<Block, { t: 'chain' }>, labels: Labels, variant: number): string {
  const { earlier: e, mode, style } = block;
  const body = blocksText(e.body, labels, variant + 1);
  const to = e.to.map((r) => recipText(r, style)).join(sep(style));
  const cc = e.cc.map((r) => recipText(r, style)).join(sep(style));
  const from = `${e.from.name} <${e.from.email}>`;
  const date = clientDate(e.date, style, variant);
  const out: string[] = [];
  const headerBlock = (): void => {
    register(labels, e.to);
    register(labels, e.cc);
  };
  if (style === 'outlook' || style === 'outlook-old') {
    headerBlock();
    out.push(style === 'outlook' ? '________________________________' : '-----Original Message-----');
    out.push(`From: ${style === 'outlook' && variant % 3 === 0 ? e.from.name : from}`);
    out.push(`Sent: ${date}`);
    out.push(`To: ${to}`);
    if (cc) out.push(`Cc: ${cc}`);
    out.push(`Subject: ${e.subject}`);
    out.push('');
    out.push(body);
    return out.join('\n');
  }
  if (mode === 'forward') {
    headerBlock();
    if (style === 'gmail') {
      out.push('---------- Forwarded message ---------', `From: ${from}`, `Date: ${date}`, `Subject: ${e.subject}`, `To: ${to}`);
      if (cc) out.push(`Cc: ${cc}`);
    } else if (style === 'apple') {
      out.push('Begin forwarded message:', '', `From: ${from}`, `Subject: ${e.subject}`, `Date: ${date}`, `To: ${to}`);
      if (cc) out.push(`Cc: ${cc}`);
    } else {
      out.push('-------- Forwarded Message --------', `Subject: \t${e.subject}`, `Date: \t${date}`, `From: \t${from}`, `To: \t${to}`);
      if (cc) out.push(`CC: \t${cc}`);
    }
    out.push('', body);
    return out.join('\n');
  }
  // replies: an attribution line discloses only the sender
  if (style === 'gmail') out.push(`On ${date}, ${from} wrote:`);
  else if (style === 'apple') out.push(`On ${clientDate(e.date, 'gmail', 0).replace(' at ', ', at ').replace(/^\w+, /, '')}, ${from} wrote:`);
  else if (variant % 2 === 0) out.push(`On ${tbDate(e.date)}, ${e.from.name} wrote:`);
  else {
    headerBlock();
    out.push('-------- Original Message --------', `Subject: \t${e.subject}`, `Date: \t${date}`, `From: \t${from}`, `To: \t${to}`);
    if (cc) out.push(`CC: \t${cc}`);
    out.push('');
  }
  out.push(quote(body));
  return out.join('\n');
}

export function blocksText(blocks: readonly Block[], labels: Labels, variant = 0): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.t) {
      case 'p':
        out.push(b.text);
        break;
      case 'fields':
        out.push(b.rows.map(([k, v]) => (k ? `${k}: ${v}` : v)).join('\n'));
        break;
      case 'pre':
      case 'lines':
        out.push(b.lines.join('\n'));
        break;
      case 'list':
        out.push(b.items.map((i) => `- ${i}`).join('\n'));
        break;
      case 'table':
        out.push([b.header, ...b.rows].map((r) => r.join('\t')).join('\n'));
        break;
      case 'chain':
        out.push(chainText(b, labels, variant));
        break;
    }
  }
  return out.join('\n\n');
}

// ---- HTML ----------------------------------------------------------------------------------

export type HtmlFlavour = 'outlook' | 'gmail' | 'apple' | 'thunderbird' | 'plain';

function para(text: string, flavour: HtmlFlavour): string {
  switch (flavour) {
    case 'outlook':
      return `<p class="MsoNormal">${text}<o:p></o:p></p>`;
    case 'gmail':
    case 'apple':
      return `<div>${text}</div>`;
    default:
      return `<p>${text}</p>`;
  }
}

function styleFlavour(style: ClientStyle): HtmlFlavour {
  return style === 'outlook-old' ? 'outlook' : style;
}

function chainHtml(block: Extract<Block, { t: 'chain' }>, labels: Labels, variant: number): string {
  const { earlier: e, mode, style } = block;
  const flavour = styleFlavour(style);
  const body = blocksHtml(e.body, flavour, labels, variant + 1);
  const to = e.to.map((r) => recipHtml(r, style)).join(sep(style));
  const cc = e.cc.map((r) => recipHtml(r, style)).join(sep(style));
  const fromText = escapeHtml(e.from.name);
  const date = escapeHtml(clientDate(e.date, style, variant));
  const subject = escapeHtml(e.subject);
  const headerBlock = (): void => {
    register(labels, e.to);
    register(labels, e.cc);
  };
  if (style === 'outlook' || style === 'outlook-old') {
    headerBlock();
    const from = style === 'outlook' && variant % 3 === 0 ? fromText : `${fromText} &lt;${e.from.email}&gt;`;
    return [
      '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">',
      `<p class="MsoNormal"><b>From:</b> ${from}<br>`,
      `<b>Sent:</b> ${date}<br>`,
      `<b>To:</b> ${to}<br>`,
      ...(cc ? [`<b>Cc:</b> ${cc}<br>`] : []),
      `<b>Subject:</b> ${subject}<o:p></o:p></p>`,
      '</div>',
      '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>',
      body,
    ].join('\n');
  }
  if (mode === 'forward') {
    headerBlock();
    if (style === 'gmail') {
      return [
        '<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>',
        `From: <strong class="gmail_sendername" dir="auto">${fromText}</strong> <span dir="auto">&lt;<a href="mailto:${e.from.email}">${e.from.email}</a>&gt;</span><br>`,
        `Date: ${date}<br>`,
        `Subject: ${subject}<br>`,
        `To: ${to}<br>`,
        ...(cc ? [`Cc: ${cc}<br>`] : []),
        '</div><br><br>',
        body,
        '</div>',
      ].join('\n');
    }
    if (style === 'apple') {
      const row = (k: string, v: string) =>
        `<div style="margin-top: 0px; margin-right: 0px; margin-bottom: 0px; margin-left: 0px;"><span style="font-family: -webkit-system-font, Helvetica Neue, Helvetica, sans-serif;"><b>${k}: </b></span><span style="font-family: -webkit-system-font, Helvetica Neue, Helvetica, sans-serif;">${v}<br class=""></span></div>`;
      return [
        '<div><br class=""><blockquote type="cite" class=""><div class="">Begin forwarded message:</div><br class="Apple-interchange-newline">',
        row('From', `${fromText} &lt;<a href="mailto:${e.from.email}" class="">${e.from.email}</a>&gt;`),
        row('Subject', `<b class="">${subject}</b>`),
        row('Date', date),
        row('To', to),
        ...(cc ? [row('Cc', cc)] : []),
        '<br class="">',
        body,
        '</blockquote></div>',
      ].join('\n');
    }
    const row = (k: string, v: string) => `<tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">${k}: </th><td>${v}</td></tr>`;
    return [
      '<div class="moz-forward-container"><br><br>-------- Forwarded Message --------',
      '<table class="moz-email-headers-table" border="0" cellspacing="0" cellpadding="0"><tbody>',
      row('Subject', subject),
      row('Date', date),
      row('From', `${fromText} <a class="moz-txt-link-rfc2396E" href="mailto:${e.from.email}">&lt;${e.from.email}&gt;</a>`),
      row('To', to),
      ...(cc ? [row('CC', cc)] : []),
      '</tbody></table><br><br>',
      body,
      '</div>',
    ].join('\n');
  }
  if (style === 'gmail') {
    return [
      `<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On ${date}, ${fromText} &lt;<a href="mailto:${e.from.email}">${e.from.email}</a>&gt; wrote:<br></div>`,
      '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">',
      body,
      '</blockquote></div>',
    ].join('\n');
  }
  if (style === 'apple') {
    return [
      `<div><br><blockquote type="cite"><div>On ${escapeHtml(clientDate(e.date, 'gmail', 0).replace(' at ', ', at ').replace(/^\w+, /, ''))}, ${fromText} &lt;<a href="mailto:${e.from.email}">${e.from.email}</a>&gt; wrote:</div><br class="Apple-interchange-newline">`,
      body,
      '</blockquote></div>',
    ].join('\n');
  }
  if (variant % 2 === 0) {
    return [`<div class="moz-cite-prefix">On ${tbDate(e.date)}, ${fromText} wrote:<br></div>`, '<blockquote type="cite">', body, '</blockquote>'].join('\n');
  }
  headerBlock();
  const row = (k: string, v: string) => `<tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">${k}: </th><td>${v}</td></tr>`;
  return [
    '<div class="moz-cite-prefix">-------- Original Message --------',
    '<table class="moz-email-headers-table" border="0" cellspacing="0" cellpadding="0"><tbody>',
    row('Subject', subject),
    row('Date', date),
    row('From', `${fromText} <a class="moz-txt-link-rfc2396E" href="mailto:${e.from.email}">&lt;${e.from.email}&gt;</a>`),
    row('To', to),
    ...(cc ? [row('CC', cc)] : []),
    '</tbody></table><br></div>',
    '<blockquote type="cite">',
    body,
    '</blockquote>',
  ].join('\n');
}

export function blocksHtml(blocks: readonly Block[], flavour: HtmlFlavour, labels: Labels, variant = 0): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.t) {
      case 'p':
        out.push(para(escapeHtml(b.text), flavour));
        break;
      case 'fields':
        if (flavour === 'outlook' || flavour === 'plain') {
          out.push('<table border="0" cellpadding="2">');
          for (const [k, v] of b.rows) out.push(k ? `<tr><td><b>${escapeHtml(k)}:</b></td><td>${escapeHtml(v)}</td></tr>` : `<tr><td colspan="2">${escapeHtml(v)}</td></tr>`);
          out.push('</table>');
        } else {
          out.push(b.rows.map(([k, v]) => para(k ? `<b>${escapeHtml(k)}:</b> ${escapeHtml(v)}` : escapeHtml(v), flavour)).join('\n'));
        }
        break;
      case 'pre':
        out.push(`<pre>${b.lines.map(escapeHtml).join('\n')}</pre>`);
        break;
      case 'lines':
        out.push(para(b.lines.map(escapeHtml).join('<br>\n'), flavour));
        break;
      case 'list':
        out.push(`<ul>\n${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>`);
        break;
      case 'table':
        out.push('<table border="1" cellspacing="0" cellpadding="3">');
        out.push(`<tr>${b.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`);
        for (const row of b.rows) out.push(`<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`);
        out.push('</table>');
        break;
      case 'chain':
        out.push(chainHtml(b, labels, variant));
        break;
    }
    if (flavour === 'gmail' || flavour === 'apple') out.push('<div><br></div>');
  }
  return out.join('\n');
}

/** The whole HTML document a client would send. */
export function htmlDocument(inner: string, flavour: HtmlFlavour): string {
  switch (flavour) {
    case 'outlook':
      return [
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">',
        '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta name="Generator" content="Microsoft Word 15 (filtered medium)">',
        '<style><!-- p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;} --></style></head>',
        '<body lang="EN-GB" link="#0563C1" vlink="#954F72" style="word-wrap:break-word"><div class="WordSection1">',
        inner,
        '</div></body></html>',
      ].join('\n');
    case 'gmail':
      return `<div dir="ltr">\n${inner}\n</div>`;
    case 'apple':
      return `<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">\n${inner}\n</body></html>`;
    case 'thunderbird':
      return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta http-equiv="content-type" content="text/html; charset=UTF-8">\n  </head>\n  <body>\n${inner}\n  </body>\n</html>`;
    case 'plain':
      return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title></title></head>\n<body style="font-family: Arial, sans-serif; font-size: 14px;">\n${inner}\n</body></html>`;
  }
}
