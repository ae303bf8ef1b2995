import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, tempDirEach, writeTree } from '../lineage/helpers.js';

// A real git, in a real repository made for each test.
const env = { PATH: '/usr/bin:/bin', HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1' };
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env,
    encoding: 'utf8',
  }).trim();

describe('lineage record: source from git outside Actions (issue 12 item 4)', () => {
  const tmp = tempDirEach();
  const secret = 'ghp_S3cr3tT0k3nValue';
  beforeEach(() => {
    writeTree(tmp.dir, {
      'train.py': 'print("train")\n',
      '.gitignore': 'ignored.log\n',
      'uv.lock': 'lock-v1',
      'data/train.csv': 'x\n1\n',
    });
    git(tmp.dir, 'init', '-q');
    git(tmp.dir, 'add', '.');
    git(tmp.dir, 'commit', '-q', '-m', 'first');
    git(tmp.dir, 'remote', 'add', 'origin', `https://ci-bot:${secret}@github.com/acme/fraud-model.git`);
    // What training leaves behind: the model (untracked) and a log git ignores.
    writeTree(tmp.dir, { 'models/model.bin': 'weights', 'ignored.log': 'x' });
  });

  const record = (...extra: string[]) =>
    cli(['lineage', 'record', '--no-python', '--model', 'models/model.bin', '--dataset', 'training=data/train.csv', '--out', 'metadata.json', ...extra], { cwd: tmp.dir, env });
  const source = () => JSON.parse(readFileSync(join(tmp.dir, 'metadata.json'), 'utf8')).source;

  it('records the remote URL without credentials, the commit and the branch; a clean tree is not dirty', async () => {
    const r = await record();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(source()).toEqual({
      repository: 'https://github.com/acme/fraud-model.git',
      commit: git(tmp.dir, 'rev-parse', 'HEAD'),
      branch: 'main',
      dirty: false,
    });
    expect(readFileSync(join(tmp.dir, 'metadata.json'), 'utf8')).not.toContain(secret);
    expect(readFileSync(join(tmp.dir, 'metadata.json'), 'utf8')).not.toContain('ci-bot');
  });

  it('a changed tracked file or an untracked one makes the tree dirty, listing them (the model, data, lockfiles and outputs are pinned by digest, not listed)', async () => {
    writeFileSync(join(tmp.dir, 'train.py'), 'print("changed")\n');
    writeTree(tmp.dir, { 'notes/todo.txt': 'x', 'metadata.json': 'an older record' });
    writeFileSync(join(tmp.dir, 'uv.lock'), 'lock-v2');
    writeFileSync(join(tmp.dir, 'data/train.csv'), 'x\n2\n');
    await record();
    expect(source()).toMatchObject({ dirty: true, uncommitted: ['notes/todo.txt', 'train.py'], uncommitted_count: 2 });
    git(tmp.dir, 'add', 'notes/todo.txt');
    git(tmp.dir, 'mv', 'train.py', 'fit.py');
    await record();
    expect(source()).toMatchObject({ dirty: true, uncommitted: ['fit.py', 'notes/todo.txt', 'train.py'], uncommitted_count: 3 });
  });

  it('git status failing (a corrupt index) still records the commit, says dirtiness is unknown, and does not claim a clean tree', async () => {
    writeFileSync(join(tmp.dir, '.git', 'index'), 'not an index');
    const r = await record();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: source: git status failed \(.*index.*\); whether the working tree differs from the commit is not recorded/);
    expect(source()).toEqual({ repository: 'https://github.com/acme/fraud-model.git', commit: git(tmp.dir, 'rev-parse', 'HEAD'), branch: 'main' });
  });

  it('an untracked dataset directory is left to the digests, not listed file by file', async () => {
    writeTree(tmp.dir, Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`data/big/part-${i}.csv`, 'x\n1\n'])));
    const r = await cli(['lineage', 'record', '--no-python', '--model', 'models/model.bin', '--dataset', 'training=data/big', '--out', 'metadata.json'], { cwd: tmp.dir, env });
    expect(r.code).toBe(0);
    expect(source().dirty).toBe(false);
  });

  it('a detached HEAD records no branch; the flags override what git says', async () => {
    git(tmp.dir, 'checkout', '-q', '--detach');
    await record();
    expect(source().branch).toBeUndefined();
    const r = await record('--source-repository', 'https://git.example.com/acme/x.git', '--source-commit', 'abc123', '--source-branch', 'release');
    expect(r.code).toBe(0);
    // Another commit than HEAD: git's status says nothing about it, so no dirty flag.
    expect(source()).toEqual({ repository: 'https://git.example.com/acme/x.git', commit: 'abc123', branch: 'release' });
    expect((await record('--source-commit', '')).code).toBe(2);
  });

  it('outside any repository (or with --no-git): source has no commit, and a warning says so', async () => {
    const { dir: plain, cleanup: c2 } = tempDir();
    try {
      writeTree(plain, { 'model.bin': 'w' });
      const r = await cli(['lineage', 'record', '--no-python', '--model', 'model.bin'], { cwd: plain, env });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^warning: source: no commit recorded \(git: .*not a git repository/m);
      expect(JSON.parse(readFileSync(join(plain, 'metadata.json'), 'utf8')).source).toEqual({});
    } finally {
      c2();
    }
    const r = await record('--no-git');
    expect(r.stderr).toContain('warning: source: no commit recorded (git not asked)');
    expect(source()).toEqual({});
  });

  it('inside GitHub Actions: the run, its actor and triggering actor, and git\'s checkout', async () => {
    const actions = {
      ...env,
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/fraud-model',
      GITHUB_SHA: 'f'.repeat(40), // a merge ref's SHA, say: git's HEAD is what is checked out
      GITHUB_WORKFLOW: 'release',
      GITHUB_RUN_ID: '77',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_ACTOR: 'alice',
      GITHUB_TRIGGERING_ACTOR: 'bob',
    };
    const r = await cli(['lineage', 'record', '--no-python', '--model', 'models/model.bin', '--out', 'metadata.json'], { cwd: tmp.dir, env: actions });
    expect(r.code).toBe(0);
    expect(source()).toEqual({
      repository: 'acme/fraud-model',
      commit: git(tmp.dir, 'rev-parse', 'HEAD'),
      branch: 'main',
      dirty: false,
      workflow: 'release',
      run_id: '77',
      run_attempt: '2',
      run_url: 'https://github.com/acme/fraud-model/actions/runs/77',
      actor: 'alice',
      triggering_actor: 'bob',
    });
  });
});
