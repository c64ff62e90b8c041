import { useEffect, useState } from 'preact/hooks';
import { api, enc, type Neighbourhood, type NodeLink } from '../api';
import { navigate } from '../router';
import { messageOf } from './common';

interface Frame {
  width: number;
  height: number;
  ring: number;
}

/** A phone gets a smaller drawing area, so that labels keep a readable size when the picture is scaled down. */
function frameFor(viewportWidth: number): Frame {
  return viewportWidth < 600 ? { width: 360, height: 360, ring: 75 } : { width: 640, height: 440, ring: 120 };
}

interface PictureNode extends NodeLink {
  label: string;
}

interface PictureEdge {
  from: string;
  to: string;
  label: string;
}

const keyOf = (node: NodeLink) => `${node.entity}\u0000${node.id}`;

/**
 * The node's neighbours as nodes and labelled edges. Clicking a node expands it (its neighbours join the
 * picture); the link under the picture opens the selected node's page.
 */
export function NeighbourhoodPicture({ sorId, entity, nodeId }: { sorId: string; entity: string; nodeId: string }) {
  const rootKey = keyOf({ entity, id: nodeId });
  const [nodes, setNodes] = useState(new Map<string, PictureNode>());
  const [edges, setEdges] = useState(new Map<string, PictureEdge>());
  const [expanded, setExpanded] = useState(new Set<string>());
  const [selected, setSelected] = useState<string>(rootKey);
  const [note, setNote] = useState<string>();

  const expand = async (node: NodeLink, fresh = false) => {
    try {
      const found = await api<Neighbourhood>(
        `/systems-of-record/${enc(sorId)}/entities/${enc(node.entity)}/nodes/${enc(node.id)}/neighbours?depth=1&limit=60`,
      );
      setNodes((old) => {
        const next = new Map(fresh ? [] : old);
        for (const n of found.nodes) if (!next.has(keyOf(n))) next.set(keyOf(n), { entity: n.entity, id: n.id, label: n.label });
        return next;
      });
      setEdges((old) => {
        const next = new Map(fresh ? [] : old);
        for (const e of found.edges) next.set(`${e.relationship} ${keyOf(e.from)} ${keyOf(e.to)}`, { from: keyOf(e.from), to: keyOf(e.to), label: e.label });
        return next;
      });
      setExpanded((old) => new Set(fresh ? [keyOf(node)] : [...old, keyOf(node)]));
      setNote(found.truncated ? 'Some neighbours are left out to keep the picture readable.' : undefined);
    } catch (failure) {
      setNote(messageOf(failure));
    }
  };

  useEffect(() => {
    setSelected(rootKey);
    void expand({ entity, id: nodeId }, true);
  }, [sorId, rootKey]);

  const frame = frameFor(window.innerWidth);
  const positions = layout(rootKey, nodes, edges, frame);
  const chosen = nodes.get(selected);
  return (
    <div class="picture">
      <svg viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-label="neighbourhood" data-testid="neighbourhood">
        {[...edges.values()].map((edge) => {
          const a = positions.get(edge.from);
          const b = positions.get(edge.to);
          if (!a || !b) return null;
          return (
            <g key={`${edge.from} ${edge.to} ${edge.label}`} class="edge">
              <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} marker-end="url(#arrow)" />
              <text x={(a.x + b.x) / 2} y={(a.y + b.y) / 2 - 3}>
                {edge.label}
              </text>
            </g>
          );
        })}
        {[...nodes.entries()].map(([key, node]) => {
          const at = positions.get(key);
          if (!at) return null;
          return (
            <g
              key={key}
              class={`node${key === rootKey ? ' root' : ''}${key === selected ? ' selected' : ''}${expanded.has(key) ? ' expanded' : ''}`}
              transform={`translate(${at.x},${at.y})`}
              data-entity={node.entity}
              data-id={node.id}
              // Lower case: on an SVG element the attribute name is case-sensitive.
              tabindex={0}
              role="button"
              aria-label={`${node.entity} ${node.label}: Enter or Space expands it, then the link below opens it`}
              onClick={() => {
                setSelected(key);
                if (!expanded.has(key)) void expand(node);
              }}
              onKeyDown={(event) => {
                if (event.key !== 'Enter' && event.key !== ' ') return;
                event.preventDefault();
                setSelected(key);
                if (!expanded.has(key)) void expand(node);
              }}
              onDblClick={() => navigate(`/sors/${enc(sorId)}/explorer/${enc(node.entity)}/${enc(node.id)}`)}
            >
              <circle r={key === rootKey ? 14 : 10} fill={colourOf(node.entity)} />
              <text y={key === rootKey ? 28 : 23}>{shorten(node.label)}</text>
              <title>{`${node.entity} ${node.id}${expanded.has(key) ? '' : ' (click to expand)'}`}</title>
            </g>
          );
        })}
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="20" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" />
          </marker>
        </defs>
      </svg>
      <p class="muted small-text">
        {nodes.size} nodes · click a node (or Tab to it and press Enter) to expand it, double-click to open it.
        {chosen && selected !== rootKey && (
          <>
            {' '}
            <a
              href={`/console/sors/${enc(sorId)}/explorer/${enc(chosen.entity)}/${enc(chosen.id)}`}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/sors/${enc(sorId)}/explorer/${enc(chosen.entity)}/${enc(chosen.id)}`);
              }}
            >
              Open {chosen.label}
            </a>
          </>
        )}
      </p>
      {note && <p class="muted small-text">{note}</p>}
    </div>
  );
}

/** Rings by distance from the root; each ring ordered by where its predecessors sit, so branches stay together. */
function layout(
  rootKey: string,
  nodes: Map<string, PictureNode>,
  edges: Map<string, PictureEdge>,
  { width, height, ring: ringStep }: Frame,
): Map<string, { x: number; y: number }> {
  const neighbours = new Map<string, string[]>();
  for (const edge of edges.values()) {
    neighbours.set(edge.from, [...(neighbours.get(edge.from) ?? []), edge.to]);
    neighbours.set(edge.to, [...(neighbours.get(edge.to) ?? []), edge.from]);
  }
  const angle = new Map<string, number>([[rootKey, 0]]);
  const positions = new Map([[rootKey, { x: width / 2, y: height / 2 }]]);
  let ring = [rootKey];
  for (let depth = 1; ring.length > 0; depth++) {
    const next: { key: string; parentAngle: number }[] = [];
    for (const key of ring) {
      for (const neighbour of neighbours.get(key) ?? []) {
        if (angle.has(neighbour) || next.some((n) => n.key === neighbour) || !nodes.has(neighbour)) continue;
        next.push({ key: neighbour, parentAngle: angle.get(key)! });
      }
    }
    next.sort((a, b) => a.parentAngle - b.parentAngle);
    const radius = Math.min(ringStep * depth, Math.min(width, height) / 2 - 30 + depth * 8);
    next.forEach(({ key }, i) => {
      const theta = (2 * Math.PI * (i + 0.5)) / next.length + depth * 0.3;
      angle.set(key, theta);
      positions.set(key, { x: width / 2 + radius * (width / height) * Math.cos(theta), y: height / 2 + radius * Math.sin(theta) });
    });
    ring = next.map((n) => n.key);
  }
  return positions;
}

function colourOf(entity: string): string {
  let hash = 0;
  for (const char of entity) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return `hsl(${hash}, 55%, 55%)`;
}

function shorten(label: string): string {
  return label.length > 18 ? `${label.slice(0, 17)}…` : label;
}
