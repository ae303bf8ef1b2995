import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectEnvironment, findLockfiles, isLockfileName, parsePipList } from '../../src/lineage/environment.js';
import { sha256sum, tempDirEach, writeTree } from './helpers.js';

describe('environment', () => {
  const tmp = tempDirEach();

  it('recognises the lockfile names', () => {
    for (const n of ['requirements.txt', 'requirements-gpu.txt', 'poetry.lock', 'uv.lock', 'environment.yml', 'pylock.toml', 'pylock.train.toml', 'conda-lock.yml', 'conda.yaml', 'python_env.yaml']) {
      expect(isLockfileName(n)).toBe(true);
    }
    // package-lock.json pins the Node tooling of a repository, not a training environment.
    for (const n of ['requirements.in', 'README.md', 'lock', 'package.json', 'package-lock.json', 'pylock.tomlx']) expect(isLockfileName(n)).toBe(false);
  });

  it('finds the lockfiles from the model\'s directory up to the working directory, not above nor in subdirectories', () => {
    writeTree(tmp.dir, {
      'requirements.txt': 'above',
      'w/uv.lock': 'u',
      'w/models/fraud/requirements.txt': 'r',
      'w/models/fraud/model.bin': 'm',
      'w/models/other/poetry.lock': 'sibling',
      'w/sub/environment.yml': 'below',
    });
    expect(findLockfiles(join(tmp.dir, 'w'), 'models/fraud/model.bin')).toEqual(['models/fraud/requirements.txt', 'uv.lock']);
    // A directory model: its own top level too (MLflow saves requirements.txt and conda.yaml there), not its siblings.
    expect(findLockfiles(join(tmp.dir, 'w'), 'models/fraud/')).toEqual(['models/fraud/requirements.txt', 'uv.lock']);
    // A model outside the working directory: its own directory and the working directory.
    expect(findLockfiles(join(tmp.dir, 'w', 'sub'), '../models/fraud/model.bin')).toEqual(['../models/fraud/requirements.txt', 'environment.yml']);
  });

  it('on request, records the python3 on PATH apart, as the recording machine\'s (a stand-in python3)', async () => {
    const bin = join(tmp.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'python3'),
      '#!/bin/sh\nif [ "$1" = "-c" ]; then echo 3.12.1; else echo \'[{"name":"torch","version":"2.5.0"},{"name":"numpy","version":"2.1.0"}]\'; fi\n',
    );
    chmodSync(join(bin, 'python3'), 0o755);
    writeTree(tmp.dir, { 'poetry.lock': 'p' });
    const env = await collectEnvironment({ cwd: tmp.dir, lockfiles: ['poetry.lock'], env: { PATH: `${bin}:/usr/bin:/bin` }, python: true, nodeVersion: 'v24.9.0' });
    expect(env).toEqual({
      node: 'v24.9.0',
      lockfiles: [{ path: 'poetry.lock', digest: sha256sum(join(tmp.dir, 'poetry.lock')) }],
      recording_machine: {
        python: '3.12.1',
        python_packages: [
          { name: 'numpy', version: '2.1.0' },
          { name: 'torch', version: '2.5.0' },
        ],
      },
    });
    // Not asked: python3 is not run at all.
    expect(await collectEnvironment({ cwd: tmp.dir, lockfiles: [], env: { PATH: `${bin}:/usr/bin:/bin` } })).toEqual({ node: process.version, lockfiles: [] });
  });

  it('tolerates a python3 that hangs (timeout) or fails, and no python3 at all', async () => {
    const bin = join(tmp.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'python3'), '#!/bin/sh\nexec sleep 10\n');
    chmodSync(join(bin, 'python3'), 0o755);
    const hung = await collectEnvironment({ cwd: tmp.dir, lockfiles: [], env: { PATH: `${bin}:/usr/bin:/bin` }, python: true, pythonTimeoutMs: 300 });
    expect(hung.recording_machine).toEqual({});
    writeFileSync(join(bin, 'python3'), '#!/bin/sh\nexit 1\n');
    const failing = await collectEnvironment({ cwd: tmp.dir, lockfiles: [], env: { PATH: `${bin}:/usr/bin:/bin` }, python: true });
    expect(failing.recording_machine).toEqual({});
    const none = await collectEnvironment({ cwd: tmp.dir, lockfiles: [], env: { PATH: join(tmp.dir, 'empty') }, python: true });
    expect(none).toEqual({ node: process.version, lockfiles: [], recording_machine: {} });
  });

  it('works with the real python3 when there is one', async () => {
    const env = await collectEnvironment({ cwd: tmp.dir, lockfiles: [], env: { PATH: process.env.PATH }, python: true });
    const m = env.recording_machine!;
    if (m.python === undefined) return; // no python3 on this machine: nothing to compare with
    expect(m.python).toMatch(/^\d+\.\d+/);
    expect(m.python_packages?.some((p) => p.name.toLowerCase() === 'pip')).toBe(true);
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
