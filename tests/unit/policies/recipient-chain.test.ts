import { convert } from 'html-to-text';
import { describe, expect, it } from 'vitest';
import type { TextUnit } from '../../../src/policies/detector.js';
import {
  analyseChain,
  embeddedRecipientFields,
  MAX_ADDRESSES,
  MAX_LINES_PER_UNIT,
  normaliseAddress,
  type ChainAnalysis,
} from '../../../src/policies/recipient-chain.js';

const PRACTICE = ['brightsmile-dental.co.uk', 'brightsmile.nhs.uk'];

/** The chain of a message whose only unit is a text body. */
function chainOf(text: string, location = 'body:text'): ChainAnalysis {
  return analyseChain({ units: [{ location, text }], embeddedHeaders: [], visible: { to: '', cc: '' }, practiceDomains: PRACTICE });
}

/** html-to-text as the inspection uses it (defaults: 80-column wrap), and unwrapped. */
const asText = (html: string) => convert(html);
const asTextNoWrap = (html: string) => convert(html, { wordwrap: false });

// ---------------------------------------------------------------------------------------------
// Samples, one per client layout. Practice: brightsmile-dental.co.uk.
// ---------------------------------------------------------------------------------------------

const OUTLOOK_DESKTOP_PLAIN = `Hi Sarah,

Please book Mr B in for the fit on Thursday, the lab confirm below.

Kind regards
Mark Evans
Practice Manager, Bright Smile Dental

-----Original Message-----
From: Jane Smith [mailto:jane.smith@smilelab.co.uk]
Sent: 12 March 2024 10:15
To: Mark Evans <mark@brightsmile-dental.co.uk>; 'Peter Kahn' <pkahn@orthoclinic.com>
Cc: accounts@smilelab.co.uk
Subject: RE: Crown for Mr B

Hi Mark, the crown will be back on Wednesday.
Jane
`;

const OUTLOOK_MODERN_WRAPPED = `Thanks all, noted.

________________________________
From: Jane Smith <jane.smith@smilelab.co.uk>
Sent: Tuesday, March 12, 2024 10:15 AM
To: Reception <reception@brightsmile-dental.co.uk>; Dr Alan Long
<alan.long@referrals.example.org>; Carol White
<carol.white@ortho.example.com>; Dave
Brown <dave@denture.example.net>
Cc: Smith, Jane <jane.smith@smilelab.co.uk>;
billing@smilelab.co.uk
Subject: RE: referral and lab work for next week's
list

Morning all,
`;

const OUTLOOK_HTML = `<html><body><div class=WordSection1>
<p class=MsoNormal>Please see the lab's note below.<o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>
<p class=MsoNormal><b><span lang=EN-US>From:</span></b><span lang=EN-US> Jane Smith &lt;jane.smith@smilelab.co.uk&gt; <br>
<b>Sent:</b> 12 March 2024 10:15<br>
<b>To:</b> Reception &lt;reception@brightsmile-dental.co.uk&gt;; Dr Alan Long-Named-Referrer &lt;alan.long@referrals.example.org&gt;; Carol White &lt;carol.white@ortho.example.com&gt;<br>
<b>Cc:</b> Bob Jones &lt;bob@denture.example.net&gt;; <a href="mailto:accounts@smilelab.co.uk">accounts@smilelab.co.uk</a>; <a href="mailto:z.ahmed@implants.example.com">Zara Ahmed</a><br>
<b>Subject:</b> RE: referral<o:p></o:p></span></p>
</div>
<p class=MsoNormal>The crown is ready.<o:p></o:p></p>
</div></body></html>`;

const GMAIL_FORWARD_PLAIN = `FYI, see below.

---------- Forwarded message ---------
From: Jane Smith <jane.smith@smilelab.co.uk>
Date: Tue, 12 Mar 2024 at 10:15
Subject: Shade for UR1 crown
To: Reception <reception@brightsmile-dental.co.uk>
Cc: <bob@denture.example.net>, Carol White <carol.white@ortho.example.com>


Hello, shade A2 please.
`;

const GMAIL_FORWARD_HTML = `<div dir="ltr">FYI<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" dir="auto">Jane Smith</strong> <span dir="auto">&lt;<a href="mailto:jane.smith@smilelab.co.uk">jane.smith@smilelab.co.uk</a>&gt;</span><br>Date: Tue, 12 Mar 2024 at 10:15<br>Subject: Shade for UR1 crown<br>To: Reception &lt;<a href="mailto:reception@brightsmile-dental.co.uk">reception@brightsmile-dental.co.uk</a>&gt;<br>Cc: &lt;<a href="mailto:bob@denture.example.net">bob@denture.example.net</a>&gt;, Carol White &lt;<a href="mailto:carol.white@ortho.example.com">carol.white@ortho.example.com</a>&gt;<br></div><br><br><div dir="ltr">Hello, shade A2 please.</div></div></div>`;

const GMAIL_REPLY_ONLY = `Thanks Jane, that's fine.

On Tue, 12 Mar 2024 at 10:15, Jane Smith <jane.smith@smilelab.co.uk> wrote:

> Hi Mark,
>
> Can we move the fit to Friday? Cc'ing Bob <bob@denture.example.net> for the denture.
>
> Jane
`;

const GMAIL_REPLY_HTML = `<div dir="ltr">Thanks</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, 12 Mar 2024 at 10:15, Jane Smith &lt;<a href="mailto:jane.smith@smilelab.co.uk">jane.smith@smilelab.co.uk</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">Can we move the fit?<br></div></blockquote></div>`;

const APPLE_FORWARD_PLAIN = `Sent from my iPad

Begin forwarded message:

From: Jane Smith <jane.smith@smilelab.co.uk>
Subject: Re: Denture repair
Date: 12 March 2024 at 10:15:00 GMT
To: Mark Evans <mark@brightsmile-dental.co.uk>
Cc: Bob Jones <bob@denture.example.net>, Carol White <carol.white@ortho.example.com>

The repair is done.
`;

const APPLE_FORWARD_HTML = `<html><body><div>FYI<br><div><br><blockquote type="cite"><div>Begin forwarded message:</div><br class="Apple-interchange-newline"><div style="margin-top: 0px;"><span style="font-family: -webkit-system-font"><b>From: </b></span><span>Jane Smith &lt;<a href="mailto:jane.smith@smilelab.co.uk">jane.smith@smilelab.co.uk</a>&gt;<br></span></div><div><span><b>Subject: </b></span><span><b>Re: Denture repair</b><br></span></div><div><span><b>Date: </b></span><span>12 March 2024 at 10:15:00 GMT<br></span></div><div><span><b>To: </b></span><span>Mark Evans &lt;<a href="mailto:mark@brightsmile-dental.co.uk">mark@brightsmile-dental.co.uk</a>&gt;<br></span></div><div><span><b>Cc: </b></span><span>Bob Jones &lt;<a href="mailto:bob@denture.example.net">bob@denture.example.net</a>&gt;, Carol White &lt;<a href="mailto:carol.white@ortho.example.com">carol.white@ortho.example.com</a>&gt;<br></span></div><br><div>The repair is done.</div></blockquote></div></div></body></html>`;

const THUNDERBIRD_FORWARD_PLAIN = `Forwarding for the referral file.


-------- Forwarded Message --------
Subject: 	Referral for orthodontic assessment
Date: 	Tue, 12 Mar 2024 10:15:00 +0000
From: 	Jane Smith <jane.smith@smilelab.co.uk>
Reply-To: 	noreply@smilelab.co.uk
To: 	reception@brightsmile-dental.co.uk, Carol White <carol.white@ortho.example.com>
CC: 	Bob Jones <bob@denture.example.net>


Dear colleague,
`;

const THUNDERBIRD_FORWARD_HTML = `<html><body><p>Forwarding.</p><div class="moz-forward-container"><br><br>-------- Forwarded Message --------<table class="moz-email-headers-table" cellspacing="0" cellpadding="0" border="0"><tbody><tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">Subject: </th><td>Referral for orthodontic assessment</td></tr><tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">Date: </th><td>Tue, 12 Mar 2024 10:15:00 +0000</td></tr><tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">From: </th><td>Jane Smith <a class="moz-txt-link-rfc2396E" href="mailto:jane.smith@smilelab.co.uk">&lt;jane.smith@smilelab.co.uk&gt;</a></td></tr><tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">To: </th><td><a class="moz-txt-link-abbreviated" href="mailto:reception@brightsmile-dental.co.uk">reception@brightsmile-dental.co.uk</a>, Carol White <a class="moz-txt-link-rfc2396E" href="mailto:carol.white@ortho.example.com">&lt;carol.white@ortho.example.com&gt;</a></td></tr><tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">CC: </th><td>Bob Jones <a href="mailto:bob@denture.example.net">&lt;bob@denture.example.net&gt;</a></td></tr></tbody></table><br>Dear colleague,</div></body></html>`;

const THUNDERBIRD_REPLY = `Yes, Thursday at 2pm is fine.

On 12/03/2024 10:15, Jane Smith wrote:
> Dear Mark,
>
> Could you see our patient on Thursday?
>
> Jane
`;

const THUNDERBIRD_ORIGINAL_MESSAGE = `See the original below.

-------- Original Message --------
Subject: Re: Appointment
Date: Tue, 12 Mar 2024 10:15:00 +0000
From: Jane Smith <jane.smith@smilelab.co.uk>
To: Mark Evans <mark@brightsmile-dental.co.uk>, pkahn@orthoclinic.com

Text.
`;

/** A forward of a reply to a forward, quoted at three depths, with a duplicate across levels. */
const NESTED = `Adding Sam for visibility.

> On 14 Mar 2024, at 09:00, Mark Evans <mark@brightsmile-dental.co.uk> wrote:
>
> Hi Peter, see below from Jane.
>
> -----Original Message-----
> From: Peter Kahn <pkahn@orthoclinic.com>
> Sent: 13 March 2024 16:40
> To: Mark Evans <mark@brightsmile-dental.co.uk>
> Cc: Carol White <carol.white@ortho.example.com>; tom@brightsmile-dental.co.uk
> Subject: RE: Fwd: ortho referral
>
> > Thanks Mark.
> >
> > ---------- Forwarded message ---------
> > From: Jane Smith <jane.smith@smilelab.co.uk>
> > Date: Tue, 12 Mar 2024 at 10:15
> > Subject: ortho referral
> > To: Peter Kahn <PKahn@OrthoClinic.com>, Dave Brown <dave@denture.example.net>
> > Cc: Carol White <carol.white@ortho.example.com>
> >
> > > Begin forwarded message:
> > >
> > > From: Lab Desk <desk@smilelab.co.uk>
> > > Subject: ortho referral
> > > Date: 11 March 2024 at 17:02:00 GMT
> > > To: Jane Smith <jane.smith@smilelab.co.uk>
> > > Cc: nhs.referrals@nhs.net
> > >
> > > Original text.
`;

const GMAIL_PLAIN_OF_BOLD_OUTLOOK = `Forwarding as discussed.

*From:* Jane Smith <jane.smith@smilelab.co.uk>
*Sent:* 12 March 2024 10:15
*To:* Bob Jones <bob@denture.example.net>; Carol White <
carol.white@ortho.example.com>
*Subject:* RE: repair

Done.
`;

// ---------------------------------------------------------------------------------------------

describe('analyseChain: each client layout', () => {
  it('Outlook desktop plain text: "-----Original Message-----", [mailto:] sender, quoted display name', () => {
    const chain = chainOf(OUTLOOK_DESKTOP_PLAIN);
    expect(chain.earlierAddresses).toEqual(['accounts@smilelab.co.uk', 'mark@brightsmile-dental.co.uk', 'pkahn@orthoclinic.com']);
    expect(chain.earlierRecipients).toBe(3);
    expect(chain.earlierExternalRecipients).toBe(2);
    // The sender does not count.
    expect(chain.earlierAddresses).not.toContain('jane.smith@smilelab.co.uk');
  });

  it('Outlook modern layout: To and Cc wrapped over several lines, names split across lines', () => {
    const chain = chainOf(OUTLOOK_MODERN_WRAPPED);
    expect(chain.earlierAddresses).toEqual([
      'alan.long@referrals.example.org',
      'billing@smilelab.co.uk',
      'carol.white@ortho.example.com',
      'dave@denture.example.net',
      'jane.smith@smilelab.co.uk', // in Cc here, so a recipient
      'reception@brightsmile-dental.co.uk',
    ]);
    expect(chain.earlierExternalRecipients).toBe(5);
  });

  it.each([
    ['wrapped at 80 columns', asText],
    ['unwrapped', asTextNoWrap],
  ])('Outlook HTML converted by html-to-text (%s): mailto links shown as "Name [addr]"', (_name, toText) => {
    const text = toText(OUTLOOK_HTML);
    expect(text).toContain('From: Jane Smith');
    const chain = chainOf(text, 'body:html');
    expect(chain.earlierAddresses).toEqual([
      'accounts@smilelab.co.uk',
      'alan.long@referrals.example.org',
      'bob@denture.example.net',
      'carol.white@ortho.example.com',
      'reception@brightsmile-dental.co.uk',
      'z.ahmed@implants.example.com',
    ]);
    expect(chain.earlierExternalRecipients).toBe(5);
  });

  it('Outlook on the web (OWA) HTML reply header after a rule, converted', () => {
    const html = `<div dir="ltr">Noted, thanks.</div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>From:</b> Peter Kahn &lt;pkahn@orthoclinic.com&gt;<br><b>Sent:</b> Tuesday, March 12, 2024 10:15 AM<br><b>To:</b> Mark Evans &lt;mark@brightsmile-dental.co.uk&gt;<br><b>Cc:</b> Dave Brown &lt;dave@denture.example.net&gt;<br><b>Subject:</b> RE: ortho referral</font><div>&nbsp;</div></div><div>Text</div>`;
    const chain = chainOf(asText(html), 'body:html');
    expect(chain.earlierAddresses).toEqual(['dave@denture.example.net', 'mark@brightsmile-dental.co.uk']);
    expect(chain.earlierExternalRecipients).toBe(1);
  });

  it('Outlook plain-text rendering of links: "addr<mailto:addr>" and "Name [mailto:addr]" in To and Cc', () => {
    const text = [
      'From: Jane Smith [mailto:jane.smith@smilelab.co.uk]',
      'Sent: 12 March 2024 10:15',
      'To: bob@denture.example.net<mailto:bob@denture.example.net>; Carol White [mailto:carol.white@ortho.example.com]',
      'Cc: Zara Ahmed (mailto:z.ahmed@implants.example.com)',
      'Subject: RE: x',
    ].join('\r\n');
    expect(chainOf(text).earlierAddresses).toEqual(['bob@denture.example.net', 'carol.white@ortho.example.com', 'z.ahmed@implants.example.com']);
  });

  it('Gmail forward, plain text', () => {
    const chain = chainOf(GMAIL_FORWARD_PLAIN);
    expect(chain.earlierAddresses).toEqual(['bob@denture.example.net', 'carol.white@ortho.example.com', 'reception@brightsmile-dental.co.uk']);
    expect(chain.earlierExternalRecipients).toBe(2);
  });

  it.each([
    ['wrapped', asText],
    ['unwrapped', asTextNoWrap],
  ])('Gmail forward, HTML converted (%s): "<addr [addr]>"', (_name, toText) => {
    const chain = chainOf(toText(GMAIL_FORWARD_HTML), 'body:html');
    expect(chain.earlierAddresses).toEqual(['bob@denture.example.net', 'carol.white@ortho.example.com', 'reception@brightsmile-dental.co.uk']);
  });

  it('Gmail reply "On … <addr> wrote:" names only the sender: nothing counts, even addresses in the quoted prose', () => {
    expect(chainOf(GMAIL_REPLY_ONLY)).toEqual({ earlierRecipients: 0, earlierExternalRecipients: 0, visibleExternalRecipients: 0, earlierAddresses: [] });
    expect(chainOf(asText(GMAIL_REPLY_HTML), 'body:html').earlierRecipients).toBe(0);
  });

  it('Apple Mail "Begin forwarded message:", plain text', () => {
    const chain = chainOf(APPLE_FORWARD_PLAIN);
    expect(chain.earlierAddresses).toEqual(['bob@denture.example.net', 'carol.white@ortho.example.com', 'mark@brightsmile-dental.co.uk']);
    expect(chain.earlierExternalRecipients).toBe(2);
  });

  it('Apple Mail forward, HTML converted (blank lines between the fields, quoted with "> ")', () => {
    const text = asText(APPLE_FORWARD_HTML);
    expect(text).toMatch(/^> To: /m);
    const chain = chainOf(text, 'body:html');
    expect(chain.earlierAddresses).toEqual(['bob@denture.example.net', 'carol.white@ortho.example.com', 'mark@brightsmile-dental.co.uk']);
  });

  it('Thunderbird "-------- Forwarded Message --------", plain text with tabs, CC in capitals, Reply-To ignored', () => {
    const chain = chainOf(THUNDERBIRD_FORWARD_PLAIN);
    expect(chain.earlierAddresses).toEqual(['bob@denture.example.net', 'carol.white@ortho.example.com', 'reception@brightsmile-dental.co.uk']);
  });

  it.each([
    ['wrapped', asText],
    ['unwrapped', asTextNoWrap],
  ])('Thunderbird forward, HTML header table converted (%s): fields glued on one line', (_name, toText) => {
    const text = toText(THUNDERBIRD_FORWARD_HTML);
    expect(text).toMatch(/Subject: Referral for orthodontic assessmentDate:/);
    const chain = chainOf(text, 'body:html');
    expect(chain.earlierAddresses).toEqual(['bob@denture.example.net', 'carol.white@ortho.example.com', 'reception@brightsmile-dental.co.uk']);
    expect(chain.earlierExternalRecipients).toBe(2);
  });

  it('Thunderbird reply "On <date>, <name> wrote:" counts nothing', () => {
    expect(chainOf(THUNDERBIRD_REPLY).earlierRecipients).toBe(0);
  });

  it('Thunderbird "-------- Original Message --------"', () => {
    expect(chainOf(THUNDERBIRD_ORIGINAL_MESSAGE).earlierAddresses).toEqual(['mark@brightsmile-dental.co.uk', 'pkahn@orthoclinic.com']);
  });

  it('Gmail plain text of a bold Outlook header ("*From:*", "*To:*"), address wrapped after "<"', () => {
    expect(chainOf(GMAIL_PLAIN_OF_BOLD_OUTLOOK).earlierAddresses).toEqual(['bob@denture.example.net', 'carol.white@ortho.example.com']);
  });

  it('labels and values on separate lines (a header table converted cell by cell)', () => {
    const text = '-------- Forwarded Message --------\nSubject:\nReferral\nDate:\nTue, 12 Mar 2024 10:15:00 +0000\nFrom:\nJane Smith <jane.smith@smilelab.co.uk>\nTo:\nreception@brightsmile-dental.co.uk, Carol White <carol.white@ortho.example.com>\n\nDear colleague,';
    expect(chainOf(text).earlierAddresses).toEqual(['carol.white@ortho.example.com', 'reception@brightsmile-dental.co.uk']);
  });

  it('Yahoo and Lotus Notes separators', () => {
    const yahoo = '----- Forwarded Message -----\nFrom: A <a@smilelab.co.uk>\nTo: b@denture.example.net <b@denture.example.net>\nSent: Tuesday, 12 March 2024, 10:15:00 GMT\nSubject: x\n\nbody';
    const notes = '----- Forwarded by Mark Evans/BrightSmile on 12/03/2024 10:15 -----\n\nFrom: Jane Smith <jane.smith@smilelab.co.uk>\nTo: pkahn@orthoclinic.com\ncc: carol.white@ortho.example.com\nDate: 12/03/2024 09:00\nSubject: x\n';
    expect(chainOf(yahoo).earlierAddresses).toEqual(['b@denture.example.net']);
    expect(chainOf(notes).earlierAddresses).toEqual(['carol.white@ortho.example.com', 'pkahn@orthoclinic.com']);
  });
});

describe('analyseChain: depth, duplicates and counting rules', () => {
  it('a forward of a reply to a forward: every level, "> > " quotes stripped, duplicates counted once', () => {
    const chain = chainOf(NESTED);
    expect(chain.earlierAddresses).toEqual([
      'carol.white@ortho.example.com', // twice, once per level
      'dave@denture.example.net',
      'jane.smith@smilelab.co.uk',
      'mark@brightsmile-dental.co.uk',
      'nhs.referrals@nhs.net',
      'pkahn@orthoclinic.com', // written PKahn@OrthoClinic.com at the deeper level
      'tom@brightsmile-dental.co.uk',
    ]);
    expect(chain.earlierRecipients).toBe(7);
    expect(chain.earlierExternalRecipients).toBe(5);
  });

  it('duplicates across the text body, the HTML body and an attached message/rfc822 count once', () => {
    const chain = analyseChain({
      units: [
        { location: 'body:text', text: GMAIL_FORWARD_PLAIN },
        { location: 'body:html', text: asText(GMAIL_FORWARD_HTML) },
      ],
      embeddedHeaders: [{ from: 'x@elsewhere.example', to: 'Carol <CAROL.WHITE@ortho.example.com>', cc: 'new.person@elsewhere.example' }],
      visible: { to: '', cc: '' },
      practiceDomains: PRACTICE,
    });
    expect(chain.earlierAddresses).toEqual([
      'bob@denture.example.net',
      'carol.white@ortho.example.com',
      'new.person@elsewhere.example',
      'reception@brightsmile-dental.co.uk',
    ]);
    expect(chain.earlierExternalRecipients).toBe(3);
  });

  it('attached message/rfc822 headers: To and Cc count, From does not, groups are flattened', () => {
    const chain = analyseChain({
      units: [],
      embeddedHeaders: [
        { from: 'Jane <jane.smith@smilelab.co.uk>', to: 'Referrals: a@ortho.example.com, b@ortho.example.com;', cc: '"Evans, Mark" <mark@brightsmile-dental.co.uk>' },
        { from: 'someone@x.example', to: 'Undisclosed recipients:;', cc: '' },
      ],
      visible: { to: '', cc: '' },
      practiceDomains: PRACTICE,
    });
    expect(chain.earlierAddresses).toEqual(['a@ortho.example.com', 'b@ortho.example.com', 'mark@brightsmile-dental.co.uk']);
    expect(chain.earlierExternalRecipients).toBe(2);
  });

  it.each([
    ['semicolons', 'To: Jane Smith; Bob Jones\nCc: Reception'],
    ['Outlook "Last, First"', 'To: Smith, Jane; Jones, Bob\nCc: Kahn, Peter'],
    ['quoted names', 'To: "Jane Smith"; \'Bob Jones\'\nCc: "Kahn, Peter"'],
    ['Exchange X.500 names', 'To: Jane Smith </O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=JSMITH>\nCc: Reception'],
  ])('display names only (%s) disclose no address', (_name, recipients) => {
    const text = `-----Original Message-----\nFrom: Jane Smith <jane.smith@smilelab.co.uk>\nSent: 12 March 2024 10:15\n${recipients}\nSubject: RE: x\n\nHi`;
    expect(chainOf(text).earlierRecipients).toBe(0);
  });

  it('a line of names discloses nothing while an address on the same block still counts', () => {
    const text = 'From: Jane <jane.smith@smilelab.co.uk>\nSent: 12 March 2024\nTo: Jane Smith; Bob Jones\nCc: Peter Kahn <pkahn@orthoclinic.com>\nSubject: x';
    expect(chainOf(text).earlierAddresses).toEqual(['pkahn@orthoclinic.com']);
  });

  it('an internal-only chain has 0 external earlier recipients; subdomains are internal, look-alike domains are not', () => {
    const internal = `-----Original Message-----
From: Mark Evans <mark@brightsmile-dental.co.uk>
Sent: 12 March 2024 10:15
To: Reception <reception@brightsmile-dental.co.uk>; Sam <sam@mail.brightsmile-dental.co.uk>
Cc: practice.manager@BRIGHTSMILE.NHS.UK
Subject: Rota
`;
    const chain = chainOf(internal);
    expect(chain.earlierRecipients).toBe(3);
    expect(chain.earlierExternalRecipients).toBe(0);

    const lookAlike = internal.replace('sam@mail.brightsmile-dental.co.uk', 'sam@notbrightsmile-dental.co.uk');
    expect(chainOf(lookAlike).earlierExternalRecipients).toBe(1);
  });

  it('a chain disclosing 3+ external addresses (the default warn threshold)', () => {
    const text = `Forwarding to our new hygienist.

---------- Forwarded message ---------
From: Practice Plan Support <support@dentalplans.example.com>
Date: Mon, 11 Mar 2024 at 09:00
Subject: Members' newsletter
To: anne.patient@gmail.com, "B. Patient" <b.patient@hotmail.co.uk>, c.patient@btinternet.com, d.patient@yahoo.co.uk
Cc: reception@brightsmile-dental.co.uk
`;
    const chain = chainOf(text);
    expect(chain.earlierRecipients).toBe(5);
    expect(chain.earlierExternalRecipients).toBe(4);
    expect(chain.earlierExternalRecipients).toBeGreaterThanOrEqual(3);
  });

  it('no practice domains configured: every earlier recipient is external', () => {
    const chain = analyseChain({ units: [{ location: 'body:text', text: GMAIL_FORWARD_PLAIN }], embeddedHeaders: [], visible: { to: '', cc: '' }, practiceDomains: [] });
    expect(chain.earlierExternalRecipients).toBe(3);
  });

  it('practice domains are matched case-insensitively and tolerate a leading "@"', () => {
    const chain = analyseChain({ units: [{ location: 'body:text', text: GMAIL_FORWARD_PLAIN }], embeddedHeaders: [], visible: { to: '', cc: '' }, practiceDomains: ['@BrightSmile-Dental.co.uk'] });
    expect(chain.earlierExternalRecipients).toBe(2);
  });

  it('trailing punctuation and angle brackets are stripped before counting', () => {
    const text = "From: a@smilelab.co.uk\nDate: today\nTo: <bob@denture.example.net>.; 'carol.white@ortho.example.com',\nSubject: x";
    expect(chainOf(text).earlierAddresses).toEqual(['bob@denture.example.net', 'carol.white@ortho.example.com']);
  });

  it('only body and quoted units are read: subject and attachments are not chains', () => {
    const units: TextUnit[] = [
      { location: 'subject', text: OUTLOOK_DESKTOP_PLAIN },
      { location: 'attachment:notes.txt', text: OUTLOOK_DESKTOP_PLAIN },
    ];
    expect(analyseChain({ units, embeddedHeaders: [], visible: { to: '', cc: '' }, practiceDomains: PRACTICE }).earlierRecipients).toBe(0);
    expect(analyseChain({ units: [{ location: 'quoted:text', text: OUTLOOK_DESKTOP_PLAIN }], embeddedHeaders: [], visible: { to: '', cc: '' }, practiceDomains: PRACTICE }).earlierRecipients).toBe(3);
  });

  it('Bcc and Reply-To lines of an embedded block are not To/Cc and do not count', () => {
    const text = 'From: Mark <mark@brightsmile-dental.co.uk>\nSent: today\nTo: pkahn@orthoclinic.com\nBcc: hidden@elsewhere.example\nReply-To: replies@elsewhere.example\nSubject: x';
    expect(chainOf(text).earlierAddresses).toEqual(['pkahn@orthoclinic.com']);
  });
});

describe('analyseChain: prose is not a header block', () => {
  it.each([
    ['"From:" in a sentence', 'Hi all,\n\nFrom: Monday the surgery opens at 8am.\nPlease email reception@brightsmile-dental.co.uk or bob@denture.example.net.\n\nMark'],
    ['From/To opening hours', 'Opening hours\nFrom: 8am\nTo: 6pm, bookings to reception@brightsmile-dental.co.uk\n'],
    ['"To:" alone with addresses, no From', 'To: bob@denture.example.net, carol.white@ortho.example.com\nPlease find the invoice attached.\n'],
    ['a To line after prose with a date', 'Date: 12 March 2024\nTo: carol.white@ortho.example.com\nRe: Mr B'],
    ['a reply line only', 'On 12 March 2024, Jane Smith <jane.smith@smilelab.co.uk> wrote:\n> see you then'],
    ['"Sent from my iPhone" and a signature', 'Thanks\n\nSent from my iPhone\n\nMark Evans\nE: mark@brightsmile-dental.co.uk\nT: 01234 567890'],
  ])('%s counts nothing', (_name, text) => {
    expect(chainOf(text).earlierRecipients).toBe(0);
  });

  it('a body line right after a header block is not taken for a wrapped To/Cc line', () => {
    const text = 'From: Jane <jane.smith@smilelab.co.uk>\nSent: today\nSubject: x\nTo: Bob <bob@denture.example.net>\nPlease copy in peter at pkahn@orthoclinic.com next time.\nCc: this line is after prose <later@elsewhere.example>';
    expect(chainOf(text).earlierAddresses).toEqual(['bob@denture.example.net']);
  });
});

describe('analyseChain: visible recipients', () => {
  it('counts distinct external addresses in the new message\'s own To and Cc', () => {
    const chain = analyseChain({
      units: [],
      embeddedHeaders: [],
      visible: {
        to: 'Peter Kahn <pkahn@orthoclinic.com>, reception@brightsmile-dental.co.uk, "Evans, Mark" <mark@mail.brightsmile-dental.co.uk>',
        cc: 'PKAHN@orthoclinic.com, Lab <desk@smilelab.co.uk>, Patients: a@gmail.com, b@hotmail.co.uk;',
      },
      practiceDomains: PRACTICE,
    });
    expect(chain.visibleExternalRecipients).toBe(4);
    expect(chain.earlierRecipients).toBe(0);
  });

  it('display names in visible headers are not addresses', () => {
    const chain = analyseChain({ units: [], embeddedHeaders: [], visible: { to: 'Jane Smith', cc: '' }, practiceDomains: PRACTICE });
    expect(chain.visibleExternalRecipients).toBe(0);
  });
});

describe('normaliseAddress', () => {
  it.each([
    ['<Jane.Smith@SmileLab.co.uk>', 'jane.smith@smilelab.co.uk'],
    ["'bob@denture.example.net'", 'bob@denture.example.net'],
    ['mailto:bob@denture.example.net?subject=hi', 'bob@denture.example.net'],
    ['carol@ortho.example.com.', 'carol@ortho.example.com'],
    ['jane@localhost', null],
    ['jane smith@x.com', null],
    ['@x.com', null],
    ['jane@x.123', null],
    ['jane@-x.com', null],
    ['Jane Smith', null],
  ])('%s -> %s', (raw, expected) => {
    expect(normaliseAddress(raw)).toBe(expected);
  });
});

describe('analyseChain: bounds and adversarial input', () => {
  const MB = 1024 * 1024;
  const block = (i: number) => `From: x@smilelab.co.uk\nSent: today\nTo: a${i}@ext${i % 7}.example.com\nSubject: s\n`;

  it.each([
    ['one line of ">"', '>'.repeat(MB)],
    ['"> " quote prefixes', '> '.repeat(MB / 2)],
    ['a To line of "<"', 'From: a@b.co\nSent: x\nTo: ' + '<'.repeat(MB)],
    ['a To line of "a@"', 'From: a@b.co\nSent: x\nTo: ' + 'a@'.repeat(MB / 2)],
    ['a To line of one huge local part', 'From: a@b.co\nSent: x\nTo: ' + 'a'.repeat(MB) + '@x.co'],
    ['a To line of "[mailto:"', 'From: a@b.co\nSent: x\nTo: ' + '[mailto:'.repeat(MB / 8)],
    ['a To line of "(a@"', 'From: a@b.co\nSent: x\nTo: ' + '(a@'.repeat(MB / 3)],
    ['a To line of quotes and commas', 'From: a@b.co\nSent: x\nTo: ' + '",'.repeat(MB / 2)],
    ['a To line of quoted addresses', 'From: a@b.co\nSent: x\nTo: ' + '"a@b.co,'.repeat(MB / 8)],
    ['a To line of groups', 'From: a@b.co\nSent: x\nTo: ' + 'g: a@b.co; '.repeat(MB / 11)],
    ['dashes', '-'.repeat(MB)],
    ['underscores', '_'.repeat(MB)],
    ['blank lines', '\n'.repeat(MB)],
    ['label lines', 'To: \n'.repeat(MB / 5)],
    ['glued labels', 'From: ' + 'To: Cc: '.repeat(MB / 8)],
    ['continuation lines', 'From: a@b.co\nSent: x\nTo: a@b.co\n' + '<a@b.co> Jones,\n'.repeat(MB / 16)],
    ['markers and blanks', '-----Original Message-----\n\n'.repeat(MB / 28)],
    ['long domain labels', 'From: a@b.co\nSent: x\nTo: a@' + 'b.'.repeat(MB / 2)],
  ])('1 MB of %s returns', (_name, text) => {
    const chain = chainOf(text);
    expect(chain.earlierRecipients).toBeGreaterThanOrEqual(0);
    expect(chain.earlierRecipients).toBeLessThanOrEqual(MAX_ADDRESSES);
  });

  it('1 MB of repeated header blocks returns with the distinct addresses of the examined lines', () => {
    let text = '';
    for (let i = 0; text.length < MB; i++) text += block(i % 50);
    const chain = chainOf(text);
    expect(chain.earlierRecipients).toBe(50);
    expect(chain.earlierExternalRecipients).toBe(50);
  });

  it(`examines only the first ${MAX_LINES_PER_UNIT} lines of a unit`, () => {
    const early = '\n'.repeat(MAX_LINES_PER_UNIT - 10) + block(1);
    const late = '\n'.repeat(MAX_LINES_PER_UNIT + 10) + block(1);
    expect(chainOf(early).earlierRecipients).toBe(1);
    expect(chainOf(late).earlierRecipients).toBe(0);
  });

  it(`collects at most ${MAX_ADDRESSES} addresses per message`, () => {
    const blocks: string[] = [];
    for (let b = 0; b < 40; b++) {
      const to: string[] = [];
      for (let k = 0; k < 300; k++) to.push(`p${b}-${k}@ext.example.com`);
      blocks.push(`From: x@smilelab.co.uk\nSent: today\nTo: ${to.join('; ')}\nSubject: s\n`);
    }
    const chain = chainOf(blocks.join('\n'));
    expect(chain.earlierRecipients).toBe(MAX_ADDRESSES);
    expect(chain.earlierAddresses).toHaveLength(MAX_ADDRESSES);
  });
});

describe('embeddedRecipientFields', () => {
  it('returns the joined To and Cc values of each block, wrapped lines joined', () => {
    expect(embeddedRecipientFields(OUTLOOK_MODERN_WRAPPED)).toEqual([
      'Reception <reception@brightsmile-dental.co.uk>; Dr Alan Long <alan.long@referrals.example.org>; Carol White <carol.white@ortho.example.com>; Dave Brown <dave@denture.example.net>',
      'Smith, Jane <jane.smith@smilelab.co.uk>; billing@smilelab.co.uk',
    ]);
  });
});
