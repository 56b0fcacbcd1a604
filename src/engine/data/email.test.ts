import { describe, expect, it } from 'vitest';
import { decodeEntities, emailToText, stripHtml } from './email';

const mail = (headers: string, body: string) => `${headers.trim()}\n\n${body}`;

describe('emailToText', () => {
  it('keeps the subject and the body, not the headers', () => {
    const raw = mail('From: a@b.c\nReceived: from x by y\nSubject: Lunch on\n  Friday?\nTo: d@e.f', 'Shall we meet at noon?\n\nBob');
    expect(emailToText(raw)).toBe('Lunch on Friday? Shall we meet at noon? Bob');
  });

  it('drops quoted replies, forwarded headers, URLs, addresses and rules of symbols', () => {
    const body = 'Agreed.\n> you wrote this\n-----Original Message-----\nFrom: x\nSent: today\nSee http://example.com/a?b=c or www.x.org, mail me@host.org\n==========\nBye';
    expect(emailToText(mail('Subject: Re: plan', body))).toBe('Re: plan Agreed. See or mail Bye');
  });

  it('decodes quoted-printable and strips HTML', () => {
    const raw = mail(
      'Subject: Win\nContent-Type: text/html; charset="iso-8859-1"\nContent-Transfer-Encoding: quoted-printable',
      '<html><head><style>p{color:red}</style></head><body><p>Caf=E9 &amp; FREE=\n money&nbsp;now!</p><!-- hidden --></body></html>',
    );
    expect(emailToText(raw)).toBe('Win Café & FREE money now!');
  });

  it('prefers the text/plain part of a multipart message and decodes base64', () => {
    const raw = mail(
      'Subject: =?utf-8?B?SGVsbG8gd8O2cmxk?=\nContent-Type: multipart/alternative; boundary="XYZ"',
      [
        'This is a MIME message',
        '--XYZ',
        'Content-Type: text/html',
        '',
        '<p>html version</p>',
        '--XYZ',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        btoa('plain version'),
        '--XYZ--',
      ].join('\n'),
    );
    expect(emailToText(raw)).toBe('Hello wörld plain version');
  });

  it('reads a part that has no headers of its own as text/plain', () => {
    const raw = mail('Subject: s\nContent-Type: multipart/mixed; boundary=b1', '--b1\n\nheaderless part\n--b1--\n');
    expect(emailToText(raw)).toBe('s headerless part');
  });

  it('skips attachments', () => {
    const raw = mail(
      'Subject: pics\nContent-Type: multipart/mixed; boundary=b1',
      '--b1\nContent-Type: image/jpeg\nContent-Transfer-Encoding: base64\n\nAAAA\n--b1--\n',
    );
    expect(emailToText(raw)).toBe('pics');
  });

  it('clips the body at a word boundary', () => {
    const raw = mail('Subject: s', 'word '.repeat(200));
    const text = emailToText(raw, 50);
    expect(text.length).toBeLessThanOrEqual(52);
    expect(text.endsWith('word')).toBe(true);
  });

  it('caps a paragraph-long subject', () => {
    const text = emailToText(mail(`Subject: ${'buy now '.repeat(50)}`, 'body'));
    expect(text.length).toBeLessThanOrEqual(160);
    expect(text.endsWith('body')).toBe(true);
  });

  it('handles CRLF line ends and a missing body', () => {
    expect(emailToText('Subject: only a subject\r\nFrom: x')).toBe('only a subject');
    expect(emailToText('Subject: hi\r\n\r\nthere')).toBe('hi there');
  });
});

describe('HTML helpers', () => {
  it('decodes named, numeric and accented entities', () => {
    expect(decodeEntities('&lt;b&gt; &#8220;x&#x201D; caf&eacute; &Agrave; &bogus;')).toBe('<b> “x” café À &bogus;');
  });

  it('removes scripts and tags', () => {
    expect(stripHtml('<script>alert(1)</script><b>bold</b>').trim()).toBe('bold');
  });
});
