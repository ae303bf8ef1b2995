/**
 * The lineage graph of one release, as data: datasets → training run →
 * model → approvals → change request → deployment. Renderers draw it (inline
 * SVG for HTML, Mermaid for Markdown); the layout lives in svg-graph.ts.
 */
import type { GraphNode, LineageGraph, ReportRelease } from './model.js';

/** `sha256:0123456789ab…`: enough to tell digests apart on a page; the full digest is in the tables. */
export function shortDigest(d: string | null | undefined): string {
  if (!d) return '';
  return d.length > 19 ? `${d.slice(0, 19)}…` : d;
}

/** Builds the graph from a release's joined records (pure). */
export function lineageGraph(r: Omit<ReportRelease, 'graph'>): LineageGraph {
  const nodes: GraphNode[] = [];
  const edges: LineageGraph['edges'] = [];
  const add = (n: GraphNode): string => {
    nodes.push(n);
    return n.id;
  };

  const run = add({
    id: 'run',
    layer: 1,
    kind: 'run',
    label: r.run?.workflow ? `${r.run.workflow}${r.run.run_id ? ` #${r.run.run_id}` : ''}` : 'training run',
    detail: r.run?.commit ? `commit ${r.run.commit.slice(0, 12)}` : `by ${r.actor}`,
    status: 'none',
  });
  r.datasets.forEach((d, i) => {
    const id = add({
      id: `dataset-${i}`,
      layer: 0,
      kind: 'dataset',
      label: d.name,
      detail: [d.role, shortDigest(d.digest)].filter(Boolean).join(' · '),
      status: 'none',
    });
    edges.push({ from: id, to: run });
  });
  if (r.datasets.length === 0) {
    edges.push({ from: add({ id: 'dataset-none', layer: 0, kind: 'dataset', label: 'datasets not recorded', detail: '', status: 'pending' }), to: run });
  }
  const model = add({
    id: 'model',
    layer: 2,
    kind: 'model',
    label: r.model.path ?? 'model',
    detail: shortDigest(r.model.digest),
    status: 'none',
  });
  edges.push({ from: run, to: model });

  const gateFailed = r.gate === 'failure';
  const approvals = r.approvers.map((a, i) =>
    add({
      id: `approval-${i}`,
      layer: 3,
      kind: 'approval',
      label: a.login,
      detail: a.roles.length ? a.roles.join(', ') : 'approved',
      status: gateFailed ? 'pending' : 'ok',
    }),
  );
  if (approvals.length === 0) {
    approvals.push(add({ id: 'approval-none', layer: 3, kind: 'approval', label: 'no verified approval', detail: 'in the log', status: 'pending' }));
  }
  for (const a of approvals) edges.push({ from: model, to: a });

  // One node per change request number, then per deployment decision.
  const changeNumbers = [...new Set(r.change_requests.map((c) => c.number ?? '(no number)'))];
  const changeIds = new Map<string, string>();
  changeNumbers.forEach((n, i) => {
    const c = [...r.change_requests].reverse().find((x) => (x.number ?? '(no number)') === n);
    const approved = c?.approval === 'approved';
    const id = add({
      id: `change-${i}`,
      layer: 4,
      kind: 'change',
      label: n,
      detail: c?.approval ? `change ${c.approval}` : 'change request',
      status: approved ? 'ok' : c?.approval === 'rejected' ? 'bad' : 'pending',
    });
    changeIds.set(n, id);
    for (const a of approvals) edges.push({ from: a, to: id });
  });
  const deployLayer = changeNumbers.length ? 5 : 4;
  const deployments = r.deployments.length ? r.deployments : null;
  if (deployments) {
    deployments.forEach((d, i) => {
      const id = add({
        id: `deployment-${i}`,
        layer: deployLayer,
        kind: 'deployment',
        label: d.environment ?? 'deployment',
        detail: d.decision,
        status: d.decision === 'approved' ? 'ok' : d.decision === 'rejected' ? 'bad' : 'pending',
      });
      const via = d.change_number ? changeIds.get(d.change_number) : undefined;
      const from = via ? [via] : changeIds.size ? [...changeIds.values()] : approvals;
      for (const f of from) edges.push({ from: f, to: id });
    });
  } else {
    const id = add({ id: 'deployment-none', layer: deployLayer, kind: 'deployment', label: 'no deployment', detail: 'in the log', status: 'pending' });
    const from = changeIds.size ? [...changeIds.values()] : approvals;
    for (const f of from) edges.push({ from: f, to: id });
  }
  return { nodes, edges };
}

/** ServiceNow's Change Management state values (see src/deploy/change-gate.ts). */
const CHANGE_STATES: Record<string, string> = {
  '-5': 'New', '-4': 'Assess', '-3': 'Authorize', '-2': 'Scheduled', '-1': 'Implement', '0': 'Review', '3': 'Closed', '4': 'Canceled',
};

/** `Implement (-1)` for a known state value, the value itself otherwise. */
export function changeStateText(state: string | null): string | null {
  if (state === null) return null;
  return CHANGE_STATES[state] ? `${CHANGE_STATES[state]} (${state})` : state;
}
