import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { legacySlugify, parseConfig, slugify, slugOf } from '../../src/config/index.ts';
import { statusCommand } from '../../src/cli/commands/status.ts';
import { validateCommand } from '../../src/cli/commands/validate.ts';
import { openStore } from '../../src/store/index.ts';
import { runCommand } from '../editors/run-command.ts';
import { writeTempConfig } from '../helpers/config-file.ts';

// Issue 15: readable slugs for names in other scripts, a hash only where no
// letter can be made, and no feed URL moved by the upgrade.

const CJK = `site: { output: out, state: state.db }
groups:
  - name: 新媒体
    sources:
      - name: 人人都是产品经理
        channels:
          - name: 最新文章
            url: https://www.woshipm.com/feed
`;

const workDir = (text: string) => writeTempConfig(text, 'refeed-slugs-');

describe('slugs', () => {
  it('transliterates Chinese by word, and kana, hangul, Cyrillic and Greek', () => {
    expect(slugify('新媒体')).toBe('xin-mei-ti');
    expect(slugify('人人都是产品经理')).toBe('ren-ren-dou-shi-chan-pin-jing-li');
    expect(slugify('重庆银行')).toBe('chong-qing-yin-hang');
    expect(slugify('AI 前沿')).toBe('ai-qian-yan');
    expect(slugify('ひらがな')).toBe('hiragana');
    expect(slugify('한국어')).toBe('hangugeo');
    expect(slugify('Новости')).toBe('novosti');
    expect(slugify('Ελληνικά')).toBe('ellinika');
    expect(slugify('Café Crème')).toBe('cafe-creme');
    expect(slugOf('★☆')).toEqual({ slug: expect.stringMatching(/^c-[0-9a-f]{8}$/), hashed: true, transliterated: true });
    // What refeed 0.1 made of the same names.
    expect(legacySlugify('新媒体')).toMatch(/^c-[0-9a-f]{8}$/);
    expect(legacySlugify('Hacker News')).toBe('hacker-news');
  });

  it('breaks a collision of transliterated names with the name\'s hash, and warns when a name gives only a hash', () => {
    const c = parseConfig('groups:\n  - name: 李\n    sources: []\n  - name: 理\n    sources: []\n  - name: "★"\n    sources: []\n', '/tmp/x/refeed.yaml', {});
    expect(c.groups.map((g) => g.slug)).toEqual(['li', expect.stringMatching(/^li-[0-9a-f]{8}$/), expect.stringMatching(/^c-[0-9a-f]{8}$/)]);
    expect(c.warnings.map((w) => [w.line, w.path])).toEqual([
      [4, 'groups[1].name'],
      [6, 'groups[2].name'],
    ]);
    expect(c.warnings[1].message).toMatch(/no letters or digits to make a readable slug of; using "c-[0-9a-f]{8}" \(set slug: to choose one\)/);
  });

  it('keeps the old slug of a name whose channels the state (or a published feed) holds under it', () => {
    const g = legacySlugify('新媒体');
    const s = legacySlugify('人人都是产品经理');
    const c = legacySlugify('最新文章');
    const fresh = parseConfig(CJK, '/tmp/x/refeed.yaml', {});
    expect(fresh.channels[0].key).toBe('xin-mei-ti/ren-ren-dou-shi-chan-pin-jing-li/zui-xin-wen-zhang');
    expect(fresh.keptSlugs).toEqual([]);
    const kept = parseConfig(CJK, '/tmp/x/refeed.yaml', {}, { storedKeys: new Set([g, `${g}/${s}`, `${g}/${s}/${c}`]) });
    expect(kept.channels[0].key).toBe(`${g}/${s}/${c}`);
    expect(kept.keptSlugs.map((k) => [k.path, k.slug, k.readable])).toEqual([
      ['groups[0]', g, 'xin-mei-ti'],
      ['groups[0].sources[0]', s, 'ren-ren-dou-shi-chan-pin-jing-li'],
      ['groups[0].sources[0].channels[0]', c, 'zui-xin-wen-zhang'],
    ]);
    // A channel added later under the kept group and source gets a readable slug of its own.
    const more = CJK + '          - name: 热门\n            url: https://www.woshipm.com/hot\n';
    const both = parseConfig(more, '/tmp/x/refeed.yaml', {}, { storedKeys: new Set([g, `${g}/${s}`, `${g}/${s}/${c}`]) });
    expect(both.channels[1].key).toBe(`${g}/${s}/re-men`);
  });

  it('status, validate and the published folders agree on the kept slug after an upgrade', async () => {
    const file = workDir(CJK);
    const legacyKey = ['新媒体', '人人都是产品经理', '最新文章'].map(legacySlugify).join('/');
    const store = await openStore(path.join(path.dirname(file), 'state.db'));
    await store.syncChannels([{ key: legacyKey, url: 'https://www.woshipm.com/feed', names: ['新媒体', '人人都是产品经理', '最新文章'] }], Date.now());
    await store.close();

    const status = await runCommand(statusCommand, ['-c', file, '--json']);
    const [row] = JSON.parse(status.stdout);
    expect(row).toMatchObject({ key: legacyKey, name: '新媒体 / 人人都是产品经理 / 最新文章', feedPath: `/${legacyKey}/` });

    const v = await runCommand(validateCommand, ['-c', file]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`${file}:3: note: groups[0]: "新媒体" keeps its slug "${legacyKey.split('/')[0]}"`);
    expect(v.stdout).toContain('set slug: xin-mei-ti to switch');

    // Without a state, a published feed folder is enough (a state rebuilt by reindex keeps the URLs too).
    const bare = workDir(CJK);
    mkdirSync(path.join(path.dirname(bare), 'out', legacyKey), { recursive: true });
    writeFileSync(path.join(path.dirname(bare), 'out', legacyKey, 'rss.xml'), '<rss/>');
    const rows = JSON.parse((await runCommand(statusCommand, ['-c', bare, '--json'])).stdout);
    expect(rows[0].key).toBe(legacyKey);
  });
});
