/**
 * The pure parts of the report: period parsing and boundaries, joining
 * records to releases, what is listed rather than dropped, controls, and the
 * escapers (properties: no markup survives, whatever the string).
 */
import fc from 'fast-check';
import { buildReport, inPeriod, lineageGraph, parsePeriod, parseReportDate, renderHtml, renderJson, renderMarkdown } from '../../src/report/index.js';
import { escapeHtml, escapeMarkdown, escapeMermaid, truncateMiddle } from '../../src/report/escape.js';
import { GateError } from '../../src/core/errors.js';
import { deploymentDecisionRecord } from '../../src/audit/index.js';
import { reportSchemaErrors } from './report-schema.js';
import { approval, d, entriesOf, METADATA, MODEL, release, sampleEntries, verification, verdict } from './sample-log.js';

describe('period', () => {
  it('reads dates as midnight UTC and timestamps with their zone', () => {
    expect(parseReportDate('2026-04-01', '--since')).toBe('2026-04-01T00:00:00.000Z');
    expect(parseReportDate('2026-03-31T17:00:00-05:00', '--until')).toBe('2026-03-31T22:00:00.000Z');
    expect(parseReportDate('2026-03-31T17:00Z', '--until')).toBe('2026-03-31T17:00:00.000Z');
    expect(parseReportDate('2024-02-29', '--since')).toBe('2024-02-29T00:00:00.000Z');
  });

  it.each(['2026-02-29', '2026-13-01', '2026-1-1', '31/03/2026', '2026-03-31T17:00:00', '2026-03-31T24:00:00Z', '2026-03-31T10:00:00+25:00', 'yesterday'])(
    'refuses %s with an input error naming the flag',
    (text) => {
      let err: unknown;
      try {
        parseReportDate(text, '--since');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GateError);
      expect((err as GateError).exitCode).toBe(2);
      expect((err as GateError).message).toContain('--since');
    },
  );

  it('since is inclusive, until exclusive; an empty period is refused', () => {
    const p = parsePeriod('2026-01-01', '2026-04-01');
    expect(inPeriod('2026-01-01T00:00:00.000Z', p)).toBe(true);
    expect(inPeriod('2025-12-31T23:59:59.999Z', p)).toBe(false);
    expect(inPeriod('2026-03-31T23:59:59.999Z', p)).toBe(true);
    expect(inPeriod('2026-04-01T00:00:00.000Z', p)).toBe(false);
    expect(() => parsePeriod('2026-04-01', '2026-04-01')).toThrow(/the period is empty/);
  });

  it('consecutive periods cover every instant exactly once (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }), (t) => {
        const time = new Date(t).toISOString();
        const q1 = { since: '2026-01-01T00:00:00.000Z', until: '2026-04-01T00:00:00.000Z' };
        const q2 = { since: '2026-04-01T00:00:00.000Z', until: '2026-07-01T00:00:00.000Z' };
        const either = Number(inPeriod(time, q1)) + Number(inPeriod(time, q2));
        const expected = t >= Date.parse(q1.since) && t < Date.parse(q2.until) ? 1 : 0;
        return either === expected;
      }),
    );
  });
});

describe('buildReport', () => {
  it('joins approvals, verdicts, change and deployment to the release by its digests', () => {
    const entries = sampleEntries();
    const m = buildReport(entries, verification(entries));
    expect(m.releases).toHaveLength(1);
    const r = m.releases[0];
    expect(r.approvers.map((a) => a.login)).toEqual(['alice', 'bob']);
    expect(r.verdicts).toHaveLength(1);
    expect(r.change_requests[0].number).toBe('CHG0030001');
    expect(r.deployments[0]).toMatchObject({ decision: 'approved', change_number: 'CHG0030001', environment: 'production' });
    expect(m.appendix.unknown_event_types.map((u) => u.event_type)).toEqual(['MODEL_RETIRED']);
    expect(m.unlinked).toEqual([]);
    expect(m.controls.map((c) => c.status)).toEqual(Array(6).fill('evidence-present'));
    expect(m).not.toHaveProperty('generated_at');
    expect(reportSchemaErrors(JSON.parse(renderJson(m)))).toEqual([]);
  });

  it('an approval naming only the metadata digest is joined by it; one naming neither is listed as unlinked', () => {
    const entries = entriesOf([
      ['2026-03-01T00:00:00.000Z', release(MODEL, METADATA)],
      ['2026-03-01T01:00:00.000Z', approval('alice', 'r', [METADATA])],
      ['2026-03-01T02:00:00.000Z', approval('mallory', 'r', [d('77')])],
    ]);
    const m = buildReport(entries, verification(entries));
    expect(m.releases[0].approvals.map((a) => [a.login, a.matched_by])).toEqual([['alice', ['metadata']]]);
    expect(m.unlinked.map((u) => [u.seq, u.actor])).toEqual([[2, 'mallory']]);
  });

  it('a release is in the period by its release record or by a deployment in the period; verification stays whole', () => {
    const entries = entriesOf([
      ['2026-01-10T00:00:00.000Z', release(MODEL, METADATA)],
      ['2026-01-11T00:00:00.000Z', release(d('a9'), d('b9'), 'models/other/model.pt')],
      ['2026-04-02T00:00:00.000Z', deploymentDecisionRecord({ modelDigest: MODEL }, { environment: 'production', decision: 'approved', reason: 'ok' }, { component: 'github-app', actor: 'bot' })],
    ]);
    const q2 = buildReport(entries, verification(entries), parsePeriod('2026-04-01', '2026-07-01'));
    expect(q2.releases.map((r) => r.model.digest)).toEqual([MODEL]);
    expect(q2.summary).toMatchObject({ releases: 1, records_in_period: 1, records_total: 3 });
    expect(q2.verification.size).toBe(3);
    const q1 = buildReport(entries, verification(entries), parsePeriod('2026-01-01', '2026-04-01'));
    expect(q1.releases).toHaveLength(2);
  });

  it('unreadable entries are listed in the appendix; a failed verification contradicts integrity', () => {
    const entries = [...sampleEntries(), { seq: 7, digest: d('ee'), record: null, error: 'not JSON' }];
    const m = buildReport(entries, verification(entries, false));
    expect(m.appendix.unreadable).toEqual([{ seq: 7, digest: d('ee'), reason: 'not JSON' }]);
    expect(m.controls.find((c) => c.id === 'record-integrity')?.status).toBe('evidence-contradicted');
    expect(renderMarkdown(m)).toMatch(/^> \[!CAUTION\]\n> ⚠️ \*\*WARNING/);
    expect(JSON.parse(renderJson(m)).verification.ok).toBe(false);
    expect(reportSchemaErrors(JSON.parse(renderJson(m)))).toEqual([]);
  });

  it('deployment allowed with one approver contradicts the two-person control', () => {
    const entries = entriesOf([
      ['2026-03-01T00:00:00.000Z', release(MODEL, METADATA)],
      ['2026-03-01T01:00:00.000Z', approval('alice', 'r', [MODEL])],
      ['2026-03-01T02:00:00.000Z', verdict('failure', [MODEL])],
      ['2026-03-01T03:00:00.000Z', deploymentDecisionRecord({ modelDigest: MODEL }, { environment: 'production', decision: 'approved', reason: 'forced' }, { component: 'cli', actor: 'ops' })],
    ]);
    const m = buildReport(entries, verification(entries));
    const status = Object.fromEntries(m.controls.map((c) => [c.id, c.status]));
    expect(status['two-person-approval']).toBe('evidence-contradicted');
    expect(status['change-management']).toBe('evidence-contradicted');
  });

  it('the graph has datasets → run → model → approvals → change → deployment, every edge between existing nodes', () => {
    const entries = sampleEntries();
    const g = buildReport(entries, verification(entries)).releases[0].graph;
    const layerOf = new Map(g.nodes.map((n) => [n.id, n.layer]));
    expect([...new Set(g.nodes.map((n) => n.kind))]).toEqual(['run', 'dataset', 'model', 'approval', 'change', 'deployment']);
    for (const e of g.edges) expect(layerOf.get(e.to)! - layerOf.get(e.from)!).toBe(1);
    const bare = lineageGraph({ ...buildReport(entries, verification(entries)).releases[0], datasets: [], approvers: [], change_requests: [], deployments: [] });
    expect(bare.nodes.map((n) => n.id)).toEqual(['run', 'dataset-none', 'model', 'approval-none', 'deployment-none']);
  });
});

describe('escaping (properties)', () => {
  const anyText = fc.string({ unit: 'binary', maxLength: 60 });

  it('HTML text never contains markup characters', () => {
    fc.assert(fc.property(anyText, (s) => !/[<>"']/.test(escapeHtml(s))));
  });

  it('a Mermaid label keeps only safe characters and entity codes', () => {
    fc.assert(fc.property(anyText, (s) => /^(?:[A-Za-z0-9 .,:_/@+=-]|#\d+;)*$/.test(escapeMermaid(s))));
  });

  it('Markdown text has no raw HTML, no unescaped pipe or backtick, no line break', () => {
    fc.assert(fc.property(anyText, (s) => {
      const out = escapeMarkdown(s);
      return !/[<>\n\r]/.test(out) && !/(^|[^\\])[|`]/.test(out.replace(/\\\\/g, ''));
    }));
  });

  it('middle truncation keeps both ends and the length bound', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 80 }), fc.integer({ min: 4, max: 40 }), (s, max) => {
      const t = truncateMiddle(s, max);
      return [...t].length <= Math.max(max, 0) && (t === s || (t.includes('…') && s.endsWith(t.slice(t.indexOf('…') + 1))));
    }));
  });

  it('a release whose fields hold markup renders as text in every format', () => {
    const evil = '<script>x</script>|`"]';
    const entries = entriesOf([['2026-03-01T00:00:00.000Z', release(MODEL, METADATA, `m/${evil}.pt`)], ['2026-03-01T01:00:00.000Z', approval(evil, evil, [MODEL])]]);
    const m = buildReport(entries, verification(entries));
    expect(renderHtml(m)).not.toContain('<script>');
    expect(renderMarkdown(m)).not.toContain('<script>');
    expect(JSON.parse(renderJson(m)).releases[0].model.path).toBe(`m/${evil}.pt`);
    expect(reportSchemaErrors(JSON.parse(renderJson(m)))).toEqual([]);
    expect(reportSchemaErrors({ ...m, extra: 1 })).toEqual([' must NOT have additional properties']);
  });
});
