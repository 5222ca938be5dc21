import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { cronProblem } from '../../src/util/cron.ts';

// Issue 15: what an operator deploys with — the Dockerfile, the systemd
// unit, the crontab line, the license — checked against each other and the
// README. No Docker engine runs on these machines: the Dockerfile is checked
// as text; systemd-analyze checks the unit where it exists.

const REPO = path.resolve(import.meta.dirname, '../..');
const read = (rel: string) => readFileSync(path.join(REPO, rel), 'utf8');
const README = read('README.md');

/** Dockerfile instructions, continuation lines joined. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ op: l.split(/\s+/)[0].toUpperCase(), args: l.slice(l.indexOf(' ') + 1).trim() }));
}

describe('Dockerfile', () => {
  const steps = instructions(read('Dockerfile'));
  const stages = steps.filter((s) => s.op === 'FROM');
  const last = steps.slice(steps.lastIndexOf(stages.at(-1)!));

  it('builds in one node 20 slim stage (npm ci runs the prepare build), prunes dev dependencies, runs from another', () => {
    expect(stages.map((s) => s.args)).toEqual(['node:20-slim AS build', 'node:20-slim']);
    const build = steps.slice(0, steps.indexOf(stages[1]));
    expect(build.some((s) => s.op === 'RUN' && /npm ci\b.*&& npm prune --omit=dev/.test(s.args))).toBe(true);
    // prepare compiles src with tsconfig.build.json: both are copied before npm ci.
    const ci = build.findIndex((s) => /npm ci/.test(s.args));
    const copied = build.slice(0, ci).filter((s) => s.op === 'COPY').flatMap((s) => s.args.split(/\s+/).slice(0, -1));
    for (const need of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'bin']) expect(copied).toContain(need);
    for (const src of steps.filter((s) => s.op === 'COPY' && !s.args.startsWith('--from')).flatMap((s) => s.args.split(/\s+/).slice(0, -1))) {
      expect(existsSync(path.join(REPO, src)), src).toBe(true);
    }
  });

  it('runs `refeed run` as a non-root user, with the configuration and data as volumes and a HEALTHCHECK on /healthz', () => {
    const user = last.filter((s) => s.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const volumes = JSON.parse(last.find((s) => s.op === 'VOLUME')!.args) as string[];
    expect(volumes).toEqual(['/etc/refeed', '/var/lib/refeed']);
    expect(JSON.parse(last.find((s) => s.op === 'CMD')!.args)).toEqual(['node', 'bin/refeed.js', 'run', '--host', '0.0.0.0', '--port', '8080']);
    expect(last.find((s) => s.op === 'EXPOSE')!.args).toBe('8080');
    expect(last.find((s) => s.op === 'HEALTHCHECK')!.args).toMatch(/http:\/\/127\.0\.0\.1:8080\/healthz/);
    expect(last.find((s) => s.op === 'ENV')!.args).toMatch(/REFEED_CONFIG=\/etc\/refeed\/refeed\.yaml/);
  });

  it('is what the README says: the same build and run commands, volumes and port', () => {
    expect(README).toContain('docker build -t refeed .');
    const run = /docker run [^\n]*(?:\\\n[^\n]*)*/.exec(README)?.[0].replace(/\\\n\s*/g, ' ') ?? '';
    expect(run).toMatch(/-p 8080:8080/);
    expect(run).toMatch(/-v [\w-]+:\/etc\/refeed/);
    expect(run).toMatch(/-v [\w-]+:\/var\/lib\/refeed/);
  });

  it('ships a configuration that keeps everything in the data volume', () => {
    const config = parseConfig(read('deploy/refeed.yaml'), '/etc/refeed/refeed.yaml', {});
    expect(config.site.output).toBe('/var/lib/refeed/feeds');
    expect(config.site.state).toBe('/var/lib/refeed/state.db');
  });
});

describe('systemd unit', () => {
  const unit = read('deploy/refeed.service');

  it('runs the daemon sandboxed, reloads with SIGHUP', () => {
    for (const line of ['ExecStart=/usr/bin/env node /opt/refeed/bin/refeed.js run', 'ExecReload=/bin/kill -HUP $MAINPID', 'DynamicUser=yes', 'StateDirectory=refeed', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'Environment=NODE_ENV=production REFEED_CONFIG=/etc/refeed/refeed.yaml']) {
      expect(unit.split('\n')).toContain(line);
    }
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (analyze.error) console.warn('skipped: systemd-analyze is not installed here (Debian package systemd); the unit is checked where it is');
  it.skipIf(Boolean(analyze.error))('passes systemd-analyze verify without a warning, and its security review', () => {
    const file = path.join(REPO, 'deploy/refeed.service');
    const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr.split('\n').filter((l) => l.includes('refeed.service'))).toEqual([]);
    const security = execFileSync('systemd-analyze', ['security', '--offline=yes', file], { encoding: 'utf8' });
    const exposure = Number(/Overall exposure level for refeed\.service: ([\d.]+)/.exec(security)?.[1]);
    expect(exposure).toBeLessThanOrEqual(2);
  });
});

describe('crontab and license', () => {
  it('has a crontab line for `refeed once` on a valid schedule', () => {
    const line = read('deploy/refeed.crontab').split('\n').find((l) => /^[^#\s=]+\s/.test(l) && !l.includes('='))!;
    const fields = line.split(/\s+/);
    expect(cronProblem(fields.slice(0, 5).join(' '))).toBeUndefined();
    expect(fields[5]).toBe('refeed');
    expect(line).toMatch(/node bin\/refeed\.js once\b/);
    expect(README).toContain('deploy/refeed.crontab');
  });

  it('ships the MIT license package.json names', () => {
    expect(JSON.parse(read('package.json')).license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License\n/);
  });
});
