/** The reviews of a pull request, as facts (every one GitHub keeps; the evaluator takes each user's standing review). */
import type { ReviewFact } from '../approval/types.js';
import type { PullTarget } from '../approval/pull-request-source.js';
import type { GitHubClient, Json } from './client.js';

export async function listReviews(gh: GitHubClient, t: PullTarget): Promise<ReviewFact[]> {
  const rows = await gh.all('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { ...t });
  return rows
    .filter((r) => r.user && typeof (r.user as Json).login === 'string')
    .map((r) => {
      const u = r.user as Json;
      const f: ReviewFact = {
        login: String(u.login),
        user_id: Number(u.id),
        state: r.state as ReviewFact['state'],
        commit_id: String(r.commit_id ?? ''),
        body: typeof r.body === 'string' ? r.body : '',
      };
      if (typeof r.submitted_at === 'string') f.submitted_at = r.submitted_at;
      if (u.type === 'Bot') f.is_bot = true;
      return f;
    });
}
