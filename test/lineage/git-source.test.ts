import fc from 'fast-check';
import { remoteUrlWithoutCredentials } from '../../src/lineage/git-remote-url.js';
import { parsePorcelainZ } from '../../src/lineage/git.js';
import { composeSource, githubActionsSource } from '../../src/lineage/source.js';

describe('git remote URL: credentials never recorded', () => {
  it.each([
    ['https://x-access-token:ghs_abc@github.com/acme/m.git', 'https://github.com/acme/m.git'],
    ['https://ghp_tokenAsUser@github.com/acme/m.git', 'https://github.com/acme/m.git'],
    ['https://oauth2:glpat-x@gitlab.example.com:8443/a/b.git?private_token=y#frag', 'https://gitlab.example.com:8443/a/b.git'],
    ['http://u:p%40ss@host/r', 'http://host/r'],
    ['ssh://git:hunter2@github.com/acme/m.git', 'ssh://git@github.com/acme/m.git'],
    ['ssh://git@github.com:22/acme/m.git', 'ssh://git@github.com:22/acme/m.git'],
    ['git@github.com:acme/m.git', 'git@github.com:acme/m.git'],
    ['git:s3cret@github.com:acme/m.git', 'git@github.com:acme/m.git'],
    ['/srv/git/m.git', '/srv/git/m.git'],
    ['file:///srv/git/m.git', 'file:///srv/git/m.git'],
    ['https://github.com/acme/m.git', 'https://github.com/acme/m.git'],
  ])('%s -> %s', (url, expected) => {
    expect(remoteUrlWithoutCredentials(url)).toBe(expected);
  });

  it('an http(s) URL keeps its host and path and loses any user, password, query and fragment (generated)', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_.~%-]{1,12}$/);
    fc.assert(
      fc.property(fc.constantFrom('http', 'https', 'HTTPS'), word, fc.option(word), fc.stringMatching(/^[a-z0-9.-]{1,10}(:[0-9]{1,5})?$/), fc.array(word, { maxLength: 3 }), fc.option(word), (scheme, user, password, host, segs, query) => {
        const secretUser = `U${user}Z`;
        const secretPw = password === null ? undefined : `P${password}Q`;
        const path = segs.map((s) => `/${s}`).join('');
        const url = `${scheme}://${secretUser}${secretPw ? `:${secretPw}` : ''}@${host}${path}${query === null ? '' : `?t=S${query}`}`;
        const out = remoteUrlWithoutCredentials(url);
        expect(out).toBe(`${scheme}://${host}${path}`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('git status --porcelain=v1 -z', () => {
  it('reads modified, untracked, renamed (new path first) and names with spaces', () => {
    const text = ' M src/a b.py\0?? new.txt\0R  fit.py\0train.py\0A  x\0';
    expect(parsePorcelainZ(text)).toEqual([
      { code: ' M', path: 'src/a b.py' },
      { code: '??', path: 'new.txt' },
      { code: 'R ', path: 'fit.py', from: 'train.py' },
      { code: 'A ', path: 'x' },
    ]);
    expect(parsePorcelainZ('')).toEqual([]);
  });
});

describe('composeSource', () => {
  const git = { toplevel: '/w', commit: 'c1', branch: 'main', remoteUrl: 'https://h/r.git', status: [{ code: '??', path: 'models/m.bin' }, { code: ' M', path: 'train.py' }] };

  it('git wins over GITHUB_SHA for the commit (the bytes checked out); the CI wins for repository', () => {
    const ci = githubActionsSource({ GITHUB_REPOSITORY: 'acme/r', GITHUB_SHA: 'c0', GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1' });
    expect(ci).toEqual({ repository: 'acme/r', commit: 'c0' });
    expect(composeSource({ ci, git, pinned: ['/w/models/m.bin'] })).toEqual({
      repository: 'acme/r',
      commit: 'c1',
      branch: 'main',
      dirty: true,
      uncommitted: ['train.py'],
      uncommitted_count: 1,
    });
  });

  it('lists at most 1,000 uncommitted paths and counts them all', () => {
    const status = Array.from({ length: 1500 }, (_, i) => ({ code: '??', path: `f${String(i).padStart(4, '0')}` }));
    const s = composeSource({ git: { ...git, status } });
    expect(s.uncommitted).toHaveLength(1000);
    expect(s.uncommitted_count).toBe(1500);
  });

  it('a pinned directory hides the paths inside it, not a sibling sharing its prefix', () => {
    const status = [{ code: '??', path: 'data/train/a.csv' }, { code: '??', path: 'data/train-notes.txt' }];
    expect(composeSource({ git: { ...git, status }, pinned: ['/w/data/train'] }).uncommitted).toEqual(['data/train-notes.txt']);
  });
});
