/**
 * app.yml against GitHub's documented rules: the events the App handles and
 * the REST routes its code calls determine exactly the permissions the
 * manifest must ask for (src/github/app-permissions.ts holds what GitHub's
 * documentation says each one needs). A missing permission makes GitHub
 * refuse the subscription or answer 403; an unneeded one is more access than
 * a regulated firm's reviewers will sign off.
 */
import { parse } from 'yaml';
import type { Probot } from 'probot';
import { createApp, type AppDeps } from '../../src/app/app.js';
import { EVENT_NEEDS, requiredPermissions, ROUTE_NEEDS } from '../../src/github/app-permissions.js';
import { readRepoFile } from './github-parsers.js';
import { importClosure, routeLiterals, sourceFiles } from './route-literals.js';

interface Manifest {
  default_permissions: Record<string, string>;
  default_events: string[];
  hook_attributes: { url: string };
  redirect_url?: string;
}
const manifest = parse(readRepoFile('app.yml')) as Manifest;

/** The events the App's code subscribes to, by running createApp on a recorder. */
function handledEvents(): string[] {
  const names = new Set<string>();
  const recorder = {
    on: (events: string | string[]) => {
      for (const e of [events].flat()) names.add(e.split('.')[0]);
    },
    onAny: () => {},
    onError: () => {},
    log: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } },
  };
  const deps = { rediscoverEveryMs: 0 } as unknown as AppDeps;
  void createApp(deps)(recorder as unknown as Probot, { addHandler: () => {} } as never);
  return [...names].sort();
}

/**
 * Routes the App calls with its own tokens: the literals of every file the
 * App's code imports (its GitHub calls live in src/github), not the table
 * itself. approve.ts runs with the user's token.
 */
function appRoutes(): string[] {
  const entries = sourceFiles('src/app').filter((f) => !f.endsWith('/approve.ts') && !f.endsWith('/app-permissions.ts'));
  const files = importClosure(entries).filter((f) => !f.endsWith('/app-permissions.ts'));
  return [...new Set([...routeLiterals(files).values()].flat())].sort();
}

/** Routes a front's file reaches through its imports. */
function routesFrom(entry: string): string[] {
  return [...new Set([...routeLiterals(importClosure([entry])).values()].flat())].sort();
}

// The manifest parameters GitHub documents ("Registering a GitHub App from a manifest").
const MANIFEST_KEYS = ['name', 'url', 'hook_attributes', 'redirect_url', 'callback_urls', 'setup_url', 'description',
  'public', 'default_events', 'default_permissions', 'request_oauth_on_install', 'setup_on_update'];

test('app.yml uses only the manifest parameters GitHub documents, with the required url and a redirect_url for the code', () => {
  expect(Object.keys(manifest).filter((k) => !MANIFEST_KEYS.includes(k))).toEqual([]);
  expect(manifest.hook_attributes.url).toMatch(/^https:\/\//);
  expect(typeof manifest.redirect_url).toBe('string');
});

describe('app.yml permissions and events', () => {
  test('subscribes to exactly the events the App handles', () => {
    expect([...manifest.default_events].sort()).toEqual(handledEvents());
  });

  test('every event and route the App uses is in the table of GitHub\'s documented permissions', () => {
    const unknown = [
      ...handledEvents().filter((e) => !EVENT_NEEDS[e]).map((e) => `event ${e}`),
      ...appRoutes().filter((r) => !ROUTE_NEEDS[r]).map((r) => `route ${r}`),
    ];
    expect(unknown).toEqual([]);
  });

  test('asks for exactly the permissions those events and routes need: none missing, none unneeded', () => {
    const need = requiredPermissions(handledEvents(), appRoutes());
    expect(manifest.default_permissions).toEqual(need);
  });

  test('merge_group needs the "Merge queues" permission (the first build subscribed without it)', () => {
    expect(requiredPermissions(['merge_group'], [])).toMatchObject({ merge_queues: 'read' });
    expect(manifest.default_permissions.merge_queues).toBe('read');
  });

  test('a route the table does not know fails with what to do', () => {
    expect(() => requiredPermissions([], ['DELETE /repos/{owner}/{repo}'])).toThrow(/app-permissions\.ts.*permission GitHub documents/);
  });

  test('the Action\'s release PR routes are covered by the permissions docs/action.md asks for', () => {
    const routes = routesFrom('src/action/open-release-pr.ts');
    expect(routes.length).toBeGreaterThan(0);
    // git push of the release branch needs contents: write besides the REST routes.
    const need = { ...requiredPermissions([], routes), contents: 'write' };
    delete (need as Record<string, string>).metadata; // every GITHUB_TOKEN has it
    const doc = readRepoFile('docs/action.md');
    for (const [perm, access] of Object.entries(need)) {
      expect(doc).toContain(`${perm.replace('_', '-')}: ${access}`);
    }
  });
});
