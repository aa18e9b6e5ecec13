// A small force-directed layout drawn in SVG: the entity in the middle, its neighbours around it.
// Nodes are links (keyboard: Tab to a node, Enter to go there); nodes can be dragged; the layout
// settles in about a second and then stops.

import { h } from "./dom.js";
import { typeName } from "./labels.js";

const REPULSION = 2600;
const SPRING = 0.04;
const SPRING_LENGTH = 110;
const GRAVITY = 0.006;
const DAMPING = 0.82;

/**
 * nodes: [{id, label, type, href, center?}], edges: [{source, target, label}] (ids).
 * Returns an element; layout starts when it is attached.
 */
export function neighbourhoodGraph(nodes, edges, { title = "关系图", width = 900, height = 420 } = {}) {
  // Smaller canvases (phones) get shorter springs and weaker repulsion, so the star still fits.
  const scale = Math.min(1, width / 900);
  const repulsion = REPULSION * scale * scale;
  // The ring of neighbours needs room for every node: about 30 px of circumference each.
  const springLength = Math.max(
    SPRING_LENGTH * Math.max(0.6, scale),
    Math.min((nodes.length * 30) / (2 * Math.PI), Math.min(width, height) / 2 - 40),
  );
  const byId = new Map();
  nodes.forEach((node, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, nodes.length - 1);
    const r = node.center ? 0 : (150 + (i % 3) * 30) * scale;
    byId.set(node.id, { ...node, x: width / 2 + r * Math.cos(angle), y: height / 2 + r * Math.sin(angle), vx: 0, vy: 0 });
  });
  const links = edges
    .filter((e) => byId.has(e.source) && byId.has(e.target) && e.source !== e.target)
    .map((e) => ({ ...e, s: byId.get(e.source), t: byId.get(e.target) }));

  const edgeLayer = h("svg:g", { class: "edges", "aria-hidden": "true" });
  const nodeLayer = h("svg:g", { class: "nodes" });
  const svg = h(
    "svg:svg",
    { viewBox: `0 0 ${width} ${height}`, role: "group", "aria-label": title, preserveAspectRatio: "xMidYMid meet" },
    h("svg:title", {}, title),
    edgeLayer,
    nodeLayer,
  );
  for (const link of links) {
    link.line = h("svg:line", { class: "edge" });
    // With many edges their labels only clutter: the relation list below names every one.
    link.text = h("svg:text", { class: "edge-label", "text-anchor": "middle" }, edges.length <= 14 ? link.label || "" : "");
    edgeLayer.append(link.line, link.text);
  }
  for (const node of byId.values()) {
    const radius = node.center ? 14 : 9;
    const label = node.label.length > 14 ? `${node.label.slice(0, 13)}…` : node.label;
    node.el = h(
      "svg:a",
      {
        class: `node t-${node.type || "none"}${node.center ? " center" : ""}`,
        href: node.href,
        "aria-label": `${node.label}（${typeName(node.type)}）`,
        "data-id": node.id,
      },
      h("svg:circle", { r: radius, fill: "var(--c)" }),
      h("svg:text", { x: radius + 4, y: 4 }, label),
    );
    nodeLayer.append(node.el);
    dragging(svg, node, () => kick());
  }

  let alpha = 1;
  let frame = 0;
  const all = [...byId.values()];
  function step() {
    for (let i = 0; i < all.length; i += 1) {
      const a = all[i];
      for (let j = i + 1; j < all.length; j += 1) {
        const b = all[j];
        let dx = a.x - b.x;
        let dy = a.y - b.y;
        let d2 = dx * dx + dy * dy;
        if (d2 < 1) {
          dx = Math.random() - 0.5;
          dy = Math.random() - 0.5;
          d2 = 1;
        }
        const f = (repulsion * alpha) / d2;
        const d = Math.sqrt(d2);
        a.vx += (dx / d) * f;
        a.vy += (dy / d) * f;
        b.vx -= (dx / d) * f;
        b.vy -= (dy / d) * f;
      }
    }
    for (const { s, t } of links) {
      const dx = t.x - s.x;
      const dy = t.y - s.y;
      const d = Math.sqrt(dx * dx + dy * dy) || 1;
      const f = SPRING * (d - springLength) * alpha;
      s.vx += (dx / d) * f;
      s.vy += (dy / d) * f;
      t.vx -= (dx / d) * f;
      t.vy -= (dy / d) * f;
    }
    for (const n of all) {
      if (n.fixed) {
        n.vx = n.vy = 0;
        continue;
      }
      n.vx = (n.vx + (width / 2 - n.x) * GRAVITY * alpha) * DAMPING;
      n.vy = (n.vy + (height / 2 - n.y) * GRAVITY * alpha) * DAMPING;
      n.x = Math.min(width - 20, Math.max(20, n.x + n.vx));
      n.y = Math.min(height - 20, Math.max(20, n.y + n.vy));
    }
    alpha *= 0.985;
  }
  function draw() {
    for (const l of links) {
      l.line.setAttribute("x1", l.s.x);
      l.line.setAttribute("y1", l.s.y);
      l.line.setAttribute("x2", l.t.x);
      l.line.setAttribute("y2", l.t.y);
      l.text.setAttribute("x", (l.s.x + l.t.x) / 2);
      l.text.setAttribute("y", (l.s.y + l.t.y) / 2 - 3);
    }
    for (const n of all) n.el.setAttribute("transform", `translate(${n.x.toFixed(1)},${n.y.toFixed(1)})`);
  }
  function tick() {
    step();
    step();
    draw();
    if (alpha > 0.02 && svg.isConnected) frame = requestAnimationFrame(tick);
    else frame = 0;
  }
  function kick() {
    alpha = Math.max(alpha, 0.3);
    if (!frame) frame = requestAnimationFrame(tick);
  }
  // Most of the settling happens before the first paint, so the graph appears almost still.
  for (let i = 0; i < 120; i += 1) step();
  draw();
  frame = requestAnimationFrame(tick);
  return svg;
}

function dragging(svg, node, onMove) {
  let moved = false;
  const point = (event) => {
    const box = svg.getBoundingClientRect();
    const view = svg.viewBox.baseVal;
    const scale = Math.max(view.width / box.width, view.height / box.height);
    const offsetX = (box.width * scale - view.width) / 2;
    const offsetY = (box.height * scale - view.height) / 2;
    return [(event.clientX - box.left) * scale - offsetX, (event.clientY - box.top) * scale - offsetY];
  };
  node.el.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    moved = false;
    const start = [event.clientX, event.clientY];
    node.el.setPointerCapture(event.pointerId);
    const move = (e) => {
      if (!moved && Math.hypot(e.clientX - start[0], e.clientY - start[1]) < 4) return;
      moved = true;
      node.fixed = true;
      [node.x, node.y] = point(e);
      onMove();
    };
    const up = () => {
      node.el.removeEventListener("pointermove", move);
      node.el.removeEventListener("pointerup", up);
      node.fixed = false;
    };
    node.el.addEventListener("pointermove", move);
    node.el.addEventListener("pointerup", up);
  });
  // A drag is not a click: only a click without movement follows the link.
  node.el.addEventListener("click", (event) => {
    if (moved) event.preventDefault();
    moved = false;
  });
}
