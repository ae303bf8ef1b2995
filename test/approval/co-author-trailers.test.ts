/** Co-author trailers and GitHub noreply addresses (pure parsing; issue 10, item 9). */
import fc from 'fast-check';
import { coAuthorTrailers, noreplyLogin, uniqueByEmail } from '../../src/approval/co-author-trailers.js';

describe('Co-authored-by trailers', () => {
  it('reads every trailer, any case, with the name and the address', () => {
    const msg = 'Retrain\n\nbody text\n\nCo-authored-by: Bob Smith <12+bob@users.noreply.github.com>\nco-authored-by:dave <Dave@Corp.example>\nSigned-off-by: X <x@y.z>\n';
    expect(coAuthorTrailers(msg)).toEqual([
      { name: 'Bob Smith', email: '12+bob@users.noreply.github.com' },
      { name: 'dave', email: 'Dave@Corp.example' },
    ]);
    expect(coAuthorTrailers('Co-authored-by: nobody without an address')).toEqual([]);
  });

  it('one entry per address, whatever its case', () => {
    expect(uniqueByEmail([{ name: 'a', email: 'A@x.io' }, { name: 'b', email: 'a@X.io' }])).toEqual([{ name: 'a', email: 'A@x.io' }]);
  });

  it('a noreply address names its login (with or without the id); any other address names none', () => {
    expect(noreplyLogin('583231+octocat@users.noreply.github.com')).toBe('octocat');
    expect(noreplyLogin('octocat@users.noreply.github.com')).toBe('octocat');
    expect(noreplyLogin('41898282+github-actions[bot]@users.noreply.github.com')).toBe('github-actions[bot]');
    expect(noreplyLogin('octocat@github.com')).toBeNull();
    expect(noreplyLogin('a+b@users.noreply.github.com.evil.example')).toBeNull();
    fc.assert(fc.property(fc.emailAddress(), (e) => !/@users\.noreply\.github\.com$/i.test(e) ? noreplyLogin(e) === null : true));
  });
});
