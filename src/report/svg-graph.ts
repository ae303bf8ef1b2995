/**
 * Draws a lineage graph as inline SVG: a simple layered layout (one column
 * per layer, nodes stacked and centred, edges as curves from the right side
 * of a node to the left side of the next). Generated here, so the HTML report
 * needs no script, font or image from anywhere. Every label is escaped; a
 * cut label keeps its full text in the node's <title> (a tooltip, and what a
 * screen reader reads).
 */
import { escapeHtml, truncate, truncateMiddle } from './escape.js';
import { labelWidth, monoWidth } from './text-width.js';
import type { GraphNode, LineageGraph } from './model.js';

const COL = 206;
const NODE_W = 178;
const NODE_H = 44;
const GAP = 12;
const PAD = 10;
const HEADER = 22;
/** Room for text inside a node: its width less 10 px of padding each side. */
const TEXT_W = NODE_W - 20;

const LAYER_TITLES: Record<GraphNode['kind'], string> = {
  dataset: 'Datasets',
  run: 'Training run',
  model: 'Model',
  approval: 'Approvals',
  change: 'Change request',
  deployment: 'Deployment',
};

/**
 * The longest cut of `text` (by `cut`, at most the whole) whose estimated
 * width fits a node. Widths are estimated on the wide side (text-width.ts),
 * since the report cannot measure the reader's fonts.
 */
function fit(text: string, width: (t: string) => number, cut: (t: string, max: number) => string): string {
  if (width(text) <= TEXT_W) return text;
  for (let max = [...text].length - 1; max > 1; max--) {
    const shorter = cut(text, max);
    if (width(shorter) <= TEXT_W) return shorter;
  }
  return cut(text, 2);
}

/** The SVG markup for one graph. `idPrefix` keeps ids unique when a page holds several graphs. */
export function renderSvgGraph(graph: LineageGraph, idPrefix: string, title: string): string {
  const layers = new Map<number, GraphNode[]>();
  for (const n of graph.nodes) {
    const list = layers.get(n.layer) ?? [];
    list.push(n);
    layers.set(n.layer, list);
  }
  const layerIds = [...layers.keys()].sort((a, b) => a - b);
  const column = new Map(layerIds.map((l, i) => [l, i]));
  const tallest = Math.max(1, ...[...layers.values()].map((l) => l.length));
  const innerH = tallest * NODE_H + (tallest - 1) * GAP;
  const width = PAD * 2 + layerIds.length * COL - (COL - NODE_W);
  const height = PAD * 2 + HEADER + innerH;

  const pos = new Map<string, { x: number; y: number }>();
  for (const [layer, nodes] of layers) {
    const colH = nodes.length * NODE_H + (nodes.length - 1) * GAP;
    const top = PAD + HEADER + (innerH - colH) / 2;
    nodes.forEach((n, i) => pos.set(n.id, { x: PAD + (column.get(layer) as number) * COL, y: top + i * (NODE_H + GAP) }));
  }

  const arrow = `${idPrefix}-arrow`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="lineage-graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${idPrefix}-title">`,
    `<title id="${idPrefix}-title">${escapeHtml(title)}</title>`,
    `<defs><marker id="${arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrow"/></marker></defs>`,
  );
  for (const layer of layerIds) {
    const kind = (layers.get(layer) as GraphNode[])[0].kind;
    const x = PAD + (column.get(layer) as number) * COL + NODE_W / 2;
    parts.push(`<text class="layer-title" x="${x}" y="${PAD + 12}" text-anchor="middle">${escapeHtml(LAYER_TITLES[kind])}</text>`);
  }
  for (const e of graph.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x - 2;
    const y2 = b.y + NODE_H / 2;
    const dx = (x2 - x1) / 2;
    parts.push(`<path class="edge" d="M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2} ${y2}" marker-end="url(#${arrow})"/>`);
  }
  for (const n of graph.nodes) {
    const p = pos.get(n.id) as { x: number; y: number };
    const full = n.detail ? `${n.label} — ${n.detail}` : n.label;
    parts.push(
      `<g class="node kind-${n.kind} status-${n.status}" data-node="${escapeHtml(n.id)}">`,
      `<title>${escapeHtml(full)}</title>`,
      `<rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="6" ry="6"/>`,
      `<text class="node-label" x="${p.x + 10}" y="${p.y + (n.detail ? 18 : 27)}">${escapeHtml(fit(n.label, labelWidth, truncateMiddle))}</text>`,
      n.detail ? `<text class="node-detail" x="${p.x + 10}" y="${p.y + 34}">${escapeHtml(fit(n.detail, monoWidth, truncate))}</text>` : '',
      '</g>',
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
