/**
 * The message `mouthguard disclaimer preview` shows a text in: a reply in text and HTML with
 * a quoted earlier message, laid out as Gmail does, so the placement can be seen too.
 */
export function sampleMessage(sender: { address: string; name: string }, at: Date): Buffer {
  const date = at.toUTCString().replace('GMT', '+0000');
  const text = [
    'Hello,',
    '',
    'Thank you, Tuesday at 2pm is fine. We will see you then.',
    '',
    'Kind regards,',
    sender.name,
    '',
    'On Mon, 23 Nov 2026 at 16:51, Crown Lab <orders@lab.example> wrote:',
    '> Could we deliver the shade samples on Tuesday afternoon?',
    '>',
    '> Crown Lab',
    '',
  ].join('\r\n');
  const html = [
    '<div dir="ltr"><p>Hello,</p><p>Thank you, Tuesday at 2pm is fine. We will see you then.</p>',
    `<p>Kind regards,<br>${escape(sender.name)}</p></div>`,
    '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 23 Nov 2026 at 16:51, Crown Lab &lt;orders@lab.example&gt; wrote:<br></div>',
    '<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">',
    '<p>Could we deliver the shade samples on Tuesday afternoon?</p><p>Crown Lab</p></blockquote></div>',
    '',
  ].join('\r\n');
  return Buffer.from(
    [
      `From: ${sender.name} <${sender.address}>`,
      'To: Crown Lab <orders@lab.example>',
      'Subject: Re: Shade samples',
      `Date: ${date}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="preview-alt"',
      '',
      '--preview-alt',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      text,
      '--preview-alt',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      html,
      '--preview-alt--',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
