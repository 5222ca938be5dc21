import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, makeSite, rawRequest, request, startFeedServer, type Running, type Site } from './harness.ts';

const HIDDEN = 'HIDDEN-STATE-5b1e-never-serve-me';
const EVIL = 'EVIL-SIBLING-0c44-never-serve-me';

let site: Site;
let srv: Running;

beforeAll(async () => {
  site = makeSite();
  const r = site.root;
  // Hidden files inside root.
  mkdirSync(path.join(r, '.refeed'));
  writeFileSync(path.join(r, '.refeed/state'), HIDDEN);
  writeFileSync(path.join(r, '.tmp-rss.xml-123-abcd'), HIDDEN);
  writeFileSync(path.join(r, 'tech/.tmp-atom.xml-1-ff'), HIDDEN);
  // A sibling whose name extends root's: a naive startsWith(root) check lets it through.
  mkdirSync(path.join(site.dir, 'root-evil'));
  writeFileSync(path.join(site.dir, 'root-evil/secret.txt'), EVIL);
  // Symlinks leaving root, relative and absolute, to files and folders.
  symlinkSync('../secret.txt', path.join(r, 'link-out.txt'));
  symlinkSync(site.secretFile, path.join(r, 'link-out-abs.txt'));
  symlinkSync(site.dir, path.join(r, 'tech/link-dir-out'));
  symlinkSync('../root-evil/secret.txt', path.join(r, 'prefix-trick.txt'));
  symlinkSync('../root-evil', path.join(r, 'prefix-dir'));
  // Symlinks to hidden things, loops, nothing.
  symlinkSync('.refeed/state', path.join(r, 'link-hidden.txt'));
  symlinkSync('link-loop', path.join(r, 'link-loop'));
  symlinkSync('does-not-exist.xml', path.join(r, 'dangling.xml'));
  // Symlinks staying inside root: allowed.
  symlinkSync('rss.xml', path.join(r, 'link-in.xml'));
  symlinkSync('../articles', path.join(r, 'tech/link-in-dir'));
  execFileSync('mkfifo', [path.join(r, 'pipe.xml')]);
  srv = await startFeedServer(r);
});
afterAll(async () => {
  await srv.close();
  site.cleanup();
});

function neverLeaks(body: Buffer | string) {
  const text = body.toString();
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(HIDDEN);
  expect(text).not.toContain(EVIL);
  expect(text).not.toContain('root:x:0:0'); // /etc/passwd
}

// Traversal attempts get 404, like a missing file; only requests that are not
// well-formed (broken percent-encoding, a target that is no path) get 400.
describe('path traversal and hidden files', () => {
  it.each([
    ['/../secret.txt', 404],
    ['/tech/../../secret.txt', 404],
    ['/tech/..', 404],
    ['/./rss.xml', 404],
    ['/%2e%2e/secret.txt', 404],
    ['/%2E%2E/secret.txt', 404],
    ['/.%2e/secret.txt', 404],
    ['/%2e./secret.txt', 404],
    ['/tech/%2e%2e/%2e%2e/secret.txt', 404],
    ['/%252e%252e/secret.txt', 404],
    ['/%25252e%25252e/secret.txt', 404],
    ['/..%2fsecret.txt', 404],
    ['/%2e%2e%2fsecret.txt', 404],
    ['/..%252fsecret.txt', 404],
    ['/..%5csecret.txt', 404],
    ['/..%255csecret.txt', 404],
    ['/..\\secret.txt', 404],
    ['/tech\\..\\..\\secret.txt', 404],
    ['/%5c..%5csecret.txt', 404],
    ['/rss.xml%00.html', 404],
    ['/%00', 404],
    ['/%2500', 404],
    ['//etc/passwd', 404],
    ['///etc/passwd', 404],
    ['/%2fetc%2fpasswd', 404],
    ['/%2Fetc/passwd', 404],
    ['/%c0%ae%c0%ae/secret.txt', 400],
    ['/%e0%80%ae%e0%80%ae/secret.txt', 400],
    ['/%', 400],
    ['/%zz', 400],
    ['/%e2%82', 400],
    ['http://evil.example/../secret.txt', 404],
    ['http://evil.example//etc/passwd', 404],
    ['/etc/passwd', 404],
    ['/secret.txt', 404],
    ['/root-evil/secret.txt', 404],
    ['/link-out.txt', 404],
    ['/link-out-abs.txt', 404],
    ['/tech/link-dir-out/secret.txt', 404],
    ['/tech/link-dir-out/', 404],
    ['/prefix-trick.txt', 404],
    ['/prefix-dir/secret.txt', 404],
    ['/link-hidden.txt', 404],
    ['/link-loop', 404],
    ['/dangling.xml', 404],
    ['/.refeed/state', 404],
    ['/.refeed/', 404],
    ['/%2erefeed/state', 404],
    ['/.tmp-rss.xml-123-abcd', 404],
    ['/tech/.tmp-atom.xml-1-ff', 404],
  ] as const)('%s → %i, nothing leaked', async (target, status) => {
    for (const method of ['GET', 'HEAD']) {
      const r = await request(srv.port, target, { method, headers: { 'Accept-Encoding': 'identity' } });
      expect(r.status, method).toBe(status);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      neverLeaks(r.body);
    }
  });

  it('never redirects to another host', async () => {
    for (const target of ['//evil.example', '//evil.example/', '/%2fevil.example', '/\\evil.example']) {
      const r = await request(srv.port, target);
      expect(r.status, target).toBe(404);
      expect(r.headers.location).toBeUndefined();
    }
  });

  it('answers raw NUL bytes and raw dot segments on the wire without leaking', async () => {
    // A raw NUL never reaches the handler (Node's parser answers 400); dot segments get 404.
    for (const [line, status] of [['GET /\0../secret.txt HTTP/1.1', 400], ['GET /../secret.txt HTTP/1.1', 404], ['GET /.. HTTP/1.1', 404]] as const) {
      const out = await rawRequest(srv.port, Buffer.from(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1'));
      expect(out, line).toMatch(new RegExp(`^HTTP/1\\.1 ${status}`));
      neverLeaks(out);
    }
  });

  it('follows symlinks that stay inside root', async () => {
    const link = await request(srv.port, '/link-in.xml');
    const real = await request(srv.port, '/rss.xml');
    expect(link.status).toBe(200);
    expect(link.body).toEqual(real.body);
    // Typed by the name asked for, not the target's.
    expect(link.headers['content-type']).toBe('application/xml; charset=utf-8');
    const viaDir = await request(srv.port, '/tech/link-in-dir/tech/hacker-news/0123456789abcdef0123.md');
    expect(viaDir.status).toBe(200);
    expect(viaDir.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(viaDir.body.toString()).toContain('Show HN: a tiny feed reader');
  });

  it('404s a FIFO without hanging', async () => {
    const r = await request(srv.port, '/pipe.xml');
    expect(r.status).toBe(404);
    // and the server is still responsive
    expect((await request(srv.port, '/rss.xml')).status).toBe(200);
  });

  it('serves through a root that is itself a symlink (swapped build folders)', async () => {
    const current = path.join(site.dir, 'current');
    symlinkSync(site.root, current);
    const viaLink = await startFeedServer(current);
    try {
      expect((await request(viaLink.port, '/rss.xml')).status).toBe(200);
      expect((await request(viaLink.port, '/link-out.txt')).status).toBe(404);
      neverLeaks((await request(viaLink.port, '/tech/link-dir-out/secret.txt')).body);
    } finally {
      await viaLink.close();
    }
  });
});
