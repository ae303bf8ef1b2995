/** What GitHub publishes about a user: SSH signing keys and the public profile email. */
import type { GitHubClient, Json } from './client.js';

/** The user's SSH signing keys (public; none for an unknown user). */
export async function signingKeys(gh: GitHubClient, login: string): Promise<string[]> {
  const res = await gh.request('GET /users/{username}/ssh_signing_keys', { username: login, per_page: 100 }, { allow404: true });
  if (res.status === 404) return [];
  return (res.data as Json[]).map((k) => String(k.key));
}

/** The user's public profile email, or null. */
export async function publicEmail(gh: GitHubClient, login: string): Promise<string | null> {
  const res = await gh.request('GET /users/{username}', { username: login }, { allow404: true });
  const email = (res.data as Json | null)?.email;
  return typeof email === 'string' && email !== '' ? email : null;
}
