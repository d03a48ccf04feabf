import { describe, expect, it } from 'vitest';
import { decodeEntities, readHead } from '../src/domain/previews/html-head.js';
import { findLinks } from '../src/domain/previews/links.js';
import { previewFromPage } from '../src/domain/previews/page-preview.js';

const page = (head: string, contentType = 'text/html; charset=utf-8') => previewFromPage(Buffer.from(head), contentType, 'https://site.example/a/b.html');

describe('reading a preview from a page', () => {
  it('prefers Open Graph, then Twitter cards, then the title and the description meta', () => {
    expect(
      page(`<title>T</title><meta name="description" content="D"><meta name="twitter:title" content="TT">
            <meta name="twitter:description" content="TD"><meta name="twitter:image" content="https://img.example/t.png">
            <meta property="og:title" content="OT"><meta property="og:description" content="OD">
            <meta property="og:image" content="https://img.example/o.png"><meta property="og:site_name" content="OS">`),
    ).toEqual({ title: 'OT', description: 'OD', image: 'https://img.example/o.png', siteName: 'OS' });
    expect(page(`<title>T</title><meta name="description" content="D"><meta name="twitter:title" content="TT"><meta name="twitter:image:src" content="/t.png">`)).toEqual({
      title: 'TT',
      description: 'D',
      image: 'https://site.example/t.png',
    });
    expect(page('<title>  Just\n a   title </title>')).toEqual({ title: 'Just a title' });
  });

  it('reads attributes in any order, case and quoting, and decodes entities', () => {
    expect(page(`<META CONTENT='It&#39;s &quot;here&quot; &#x1F600; &hellip;' PROPERTY=og:title><meta content=bare name=description>`)).toEqual({
      title: 'It\'s "here" 😀 …',
      description: 'bare',
    });
    expect(decodeEntities('&amp;amp; &unknown; &#0; &#xD800; &#1114112;')).toBe('&amp; &unknown; \ufffd \ufffd \ufffd');
  });

  it('ignores tags inside comments and scripts, and stops at the body', () => {
    expect(
      page(`<!-- <meta property="og:title" content="commented"> --><script>var s = '<meta property="og:title" content="scripted">';</script>
            <meta property="og:description" content="real"></head><body><meta property="og:title" content="in body">`),
    ).toEqual({ description: 'real' });
  });

  it('keeps the first of repeated tags, skips empty ones, and resolves a relative image against the page', () => {
    expect(page(`<meta property="og:title" content=" "><meta property="og:title" content="first"><meta property="og:title" content="second"><meta property="og:image" content="../img/x.png">`)).toEqual({
      title: 'first',
      image: 'https://site.example/img/x.png',
    });
  });

  it('drops images that clients may not load', () => {
    for (const image of ['javascript:alert(1)', 'data:image/png;base64,AAAA', `https://img.example/${'x'.repeat(3000)}`]) {
      expect(page(`<title>t</title><meta property="og:image" content="${image}">`)).toEqual({ title: 't' });
    }
  });

  it('cuts long fields to the attachment limits', () => {
    const preview = page(`<meta property="og:title" content="${'a'.repeat(1000)}"><meta property="og:description" content="${'é'.repeat(5000)}">`);
    expect([...(preview?.title ?? '')]).toHaveLength(300);
    expect(preview?.title?.endsWith('…')).toBe(true);
    expect([...(preview?.description ?? '')]).toHaveLength(1000);
  });

  it('decodes the charset of the header or of the page', () => {
    const latin1 = Buffer.from('<meta charset="iso-8859-1"><title>caf\xe9</title>', 'latin1');
    expect(previewFromPage(latin1, 'text/html', 'https://x.example/')).toEqual({ title: 'café' });
    expect(previewFromPage(Buffer.from('<title>caf\xe9</title>', 'latin1'), 'text/html; charset=windows-1252', 'https://x.example/')).toEqual({ title: 'café' });
    expect(previewFromPage(Buffer.from('<title>ok</title>'), 'text/html; charset=no-such-charset', 'https://x.example/')).toEqual({ title: 'ok' });
  });

  it('has nothing to show for a page without title, description or image', () => {
    expect(page('<html><head><meta property="og:site_name" content="Only a name"></head></html>')).toBeUndefined();
    expect(page('')).toBeUndefined();
    expect(page('\u0000<<<>>>< title>')).toBeUndefined();
  });

  it('reads broken markup to its end without stalling: unclosed tags, quotes and comments', () => {
    const hostile = `${'<a '.repeat(100_000)}${'<meta content="'.repeat(20_000)}<!--${'<'.repeat(100_000)}`;
    expect(readHead(hostile).meta.size).toBe(0);
    expect(readHead('<title>never closed').title).toBe('never closed');
    expect(readHead('<script>never closed <meta name="description" content="x">').meta.size).toBe(0);
  });
});

describe('finding the links of a message', () => {
  it('finds the first 3 distinct http(s) links, as clients link them', () => {
    expect(
      findLinks('see https://a.example/x, (https://b.example/wiki/A_(b)) and [docs](https://c.example/d?q=1#h). Again https://a.example/x#other, https://e.example').map((l) => l.url),
    ).toEqual(['https://a.example/x', 'https://b.example/wiki/A_(b)', 'https://c.example/d?q=1#h']);
  });

  it('keys a link without its fragment', () => {
    expect(findLinks('HTTPS://Example.COM:443/a#b')).toEqual([{ url: 'https://example.com/a#b', key: 'https://example.com/a' }]);
  });

  it('skips code, other schemes and links that are not URLs', () => {
    expect(findLinks('`https://code.example` ```\nhttps://block.example\n``` javascript:alert(1) ftp://f.example [x](javascript:alert(1)) http:// https://[bad')).toEqual([]);
  });
});
