import { describe, expect, it } from 'vitest';
import { sanitizeDisclaimerHtml } from '../../../src/disclaimers/sanitize.js';

const clean = (html: string) => sanitizeDisclaimerHtml(html);

describe('sanitizeDisclaimerHtml', () => {
  it('keeps the allowed formatting, styles and links as they were, one block per line', () => {
    const html =
      '<div style="color:#555;font-size:11px"><p><b>Smile</b> <i>Dental</i> <u>Care</u> <small>Ltd</small> <span style="color:#333">{{practice_address}}</span><br>' +
      '<a href="https://smile.example/privacy">Privacy</a> <a href="mailto:{{sender_address}}">Email</a></p>' +
      '<ul><li>one</li></ul><ol><li>two</li></ol><table cellpadding="0"><tr><td colspan="2">cell</td></tr></table><hr></div>';
    const out = clean(html);
    expect(out.removed).toEqual([]);
    expect(out.html).toBe(
      '<div style="color:#555;font-size:11px"><p><b>Smile</b> <i>Dental</i> <u>Care</u> <small>Ltd</small> <span style="color:#333">{{practice_address}}</span><br />\n' +
        '<a href="https://smile.example/privacy">Privacy</a> <a href="mailto:{{sender_address}}">Email</a></p>\n' +
        '<ul><li>one</li>\n</ul>\n<ol><li>two</li>\n</ol>\n<table cellpadding="0"><tr><td colspan="2">cell</td></tr>\n</table>\n<hr />\n</div>',
    );
  });

  it('removes scripts with their content, and says so', () => {
    const out = clean('<p>Hi</p><script>alert(1)</script><noscript>x</noscript>');
    expect(out.html).toBe('<p>Hi</p>');
    expect(out.removed).toEqual(['<script>: scripts are not allowed', '<noscript>: scripts are not allowed']);
  });

  it('removes images and every other remote or embedded resource', () => {
    const out = clean('<p>a<img src="https://t.example/p.gif">b<iframe src="https://x.example"></iframe><video src="v.mp4"></video><object data="x"></object><link rel="stylesheet" href="https://x.example/s.css"></p>');
    expect(out.html).toBe('<p>ab</p>');
    expect(out.html).not.toMatch(/src|href/);
    expect(out.removed.join('\n')).toMatch(/<img>: images and other embedded or remote resources/);
    expect(out.removed.join('\n')).toMatch(/<iframe>/);
    expect(out.removed.join('\n')).toMatch(/<link>/);
  });

  it('removes event handlers and other attributes, keeping the element', () => {
    const out = clean('<p onclick="steal()" onmouseover="x()" class="big" id="p1" data-mouthguard-disclaimer="mg-000000000000">Hi</p>');
    expect(out.html).toBe('<p>Hi</p>');
    expect(out.removed).toEqual([
      'onclick on <p>: event handlers are not allowed',
      'onmouseover on <p>: event handlers are not allowed',
      'class on <p>: attribute not allowed',
      'id on <p>: attribute not allowed',
      'data-mouthguard-disclaimer on <p>: attribute not allowed',
    ]);
  });

  it('keeps only http, https and mailto links, counting repeats', () => {
    const out = clean('<a href="javascript:alert(1)">a</a><a href="data:text/html,x">b</a><a href="//evil.example/">c</a><a href="{{sender_address}}">d</a><a href="HTTPS://ok.example">e</a>');
    expect(out.html).toBe('<a>a</a><a>b</a><a>c</a><a>d</a><a href="HTTPS://ok.example">e</a>');
    expect(out.removed).toEqual(['href on <a> (4): only http:, https: and mailto: links are allowed']);
  });

  it('drops a style that could load something, including one hidden by CSS escapes', () => {
    for (const style of ['background:url(https://t.example/p.gif)', 'background-image: URL ("x")', 'font-family:\\75rl(x)', 'width:expression(alert(1))', 'background:image-set("a.png" 1x)']) {
      const out = clean(`<p style='${style}'>x</p>`);
      expect(out.html, style).toBe('<p>x</p>');
      expect(out.removed, style).toHaveLength(1);
    }
  });

  it('removes forms with the text of their controls', () => {
    const out = clean('<form action="https://x.example"><input name="a" value="v"><button>Send</button><select><option>o</option></select></form><p>after</p>');
    expect(out.html).toBe('<p>after</p>');
    expect(out.removed.every((r) => r.endsWith('forms are not allowed'))).toBe(true);
  });

  it('turns a whole document into its fragment, dropping title and style sheets', () => {
    const out = clean('<html><head><title>Sig</title><style>p{color:red}</style></head><body><p>Hi</p></body></html>');
    expect(out.html).toBe('<p>Hi</p>');
    expect(out.removed).toContain('<style>: style sheets are not allowed (use the style attribute)');
    expect(out.removed).toContain('<body>: a disclaimer is part of a message, not a whole HTML document');
  });

  it('reports comments, Outlook conditional ones included', () => {
    const out = clean('<p>a<!--[if mso]><v:shape src="x"/><![endif]-->b</p>');
    expect(out.html).toBe('<p>ab</p>');
    expect(out.removed).toEqual(['HTML comments: removed (including Outlook conditional comments)']);
  });

  it('turns headings and other block structure into allowed blocks, not run-on text', () => {
    const out = clean('<h2>Notice</h2><blockquote>Quote</blockquote><font color="red">f</font>');
    expect(out.html).toBe('<p>Notice</p>\n<div>Quote</div>\n<span>f</span>');
    expect(out.removed).toContain('<h2>: not one of the allowed tags: made a <p>');
    expect(out.removed).toContain('color on <span>: attribute not allowed');
  });

  it('keeps {{fields}} and escapes text', () => {
    expect(clean('<p>{{sender_name}} &amp; {{ practice_name }} 1 < 2</p>').html).toBe('<p>{{sender_name}} &amp; {{ practice_name }} 1 &lt; 2</p>');
  });
});
