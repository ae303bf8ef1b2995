import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectEnvironment, isLockfileName, parsePipList } from '../../src/lineage/environment.js';
import { sha256sum, tempDir, writeTree } from './helpers.js';

describe('environment', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('recognises the lockfile names', () => {
    for (const n of ['requirements.txt', 'requirements-gpu.txt', 'poetry.lock', 'uv.lock', 'environment.yml', 'package-lock.json']) {
      expect(isLockfileName(n)).toBe(true);
    }
    for (const n of ['requirements.in', 'README.md', 'lock', 'package.json']) expect(isLockfileName(n)).toBe(false);
  });

  it('records the python3 on PATH: its version and pip list (a stand-in python3)', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'python3'),
      '#!/bin/sh\nif [ "$1" = "-c" ]; then echo 3.12.1; else echo \'[{"name":"torch","version":"2.5.0"},{"name":"numpy","version":"2.1.0"}]\'; fi\n',
    );
    chmodSync(join(bin, 'python3'), 0o755);
    writeTree(dir, { 'poetry.lock': 'p' });
    const env = await collectEnvironment({ cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin` }, nodeVersion: 'v24.9.0' });
    expect(env).toEqual({
      node: 'v24.9.0',
      python: '3.12.1',
      lockfiles: [{ path: 'poetry.lock', digest: sha256sum(join(dir, 'poetry.lock')) }],
      python_packages: [
        { name: 'numpy', version: '2.1.0' },
        { name: 'torch', version: '2.5.0' },
      ],
    });
  });

  it('tolerates a python3 that hangs (timeout) or fails, and no python3 at all', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'python3'), '#!/bin/sh\nexec sleep 10\n');
    chmodSync(join(bin, 'python3'), 0o755);
    const hung = await collectEnvironment({ cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin` }, pythonTimeoutMs: 300 });
    expect(hung.python).toBeUndefined();
    expect(hung.python_packages).toBeUndefined();
    writeFileSync(join(bin, 'python3'), '#!/bin/sh\nexit 1\n');
    const failing = await collectEnvironment({ cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(failing.python).toBeUndefined();
    const none = await collectEnvironment({ cwd: dir, env: { PATH: join(dir, 'empty') } });
    expect(none).toEqual({ node: process.version, lockfiles: [] });
  });

  it('works with the real python3 when there is one', async () => {
    const env = await collectEnvironment({ cwd: dir, env: { PATH: process.env.PATH } });
    if (env.python === undefined) return; // no python3 on this machine: nothing to compare with
    expect(env.python).toMatch(/^\d+\.\d+/);
    expect(env.python_packages?.some((p) => p.name.toLowerCase() === 'pip')).toBe(true);
  });

  it('parses pip list output and rejects other output', () => {
    expect(parsePipList('[{"name":"b","version":"1"},{"name":"a","version":"2"}]')).toEqual([
      { name: 'a', version: '2' },
      { name: 'b', version: '1' },
    ]);
    expect(parsePipList('WARNING: not json')).toBeUndefined();
    expect(parsePipList('{"a":1}')).toBeUndefined();
  });
});
