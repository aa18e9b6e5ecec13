// Market figures over the years as SVG, drawn here without a library: one chart per measure (a group of
// GET /facts), one series per report so that reports read side by side, actual figures filled and
// forecasts hollow on dashed lines, each point a link to the passage it was read from, its sentence as
// the tooltip. Colours are SVG presentation attributes and handlers are added with addEventListener by
// dom.js: nothing here needs inline script or style.

import { h } from "./dom.js";
import { hrefFor } from "./labels.js";

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 14, right: 20, bottom: 30, left: 60 };
const POINT_RADIUS = 5;
const Y_TICKS = 4;
const Y_HEADROOM = 1.1; // the highest point sits below the top edge
const FORECAST_DASH = "5 4";
// Colour-blind-safe palette (Okabe–Ito), one colour per report.
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
// Measures that are not market figures (survey sample sizes) are left out.
const NOT_CHARTED = new Set(["样本数"]);

/** The groups of a /facts response worth a chart: a named measure with at least one dated figure. */
export function chartableGroups(groups) {
  return groups.filter(
    (g) => g.metric && !NOT_CHARTED.has(g.metric) && g.observations.some((o) => o.year !== null && o.year !== undefined),
  );
}

/** The figure of one group: title, SVG chart, legend. `highlight` is a report IRI drawn first and bold. */
export function factChart(group, { highlight = null } = {}) {
  const points = group.observations.filter((o) => o.year !== null && o.year !== undefined && Number.isFinite(Number(o.value)));
  const reports = seriesOrder(points, highlight);
  const colour = new Map(reports.map((iri, i) => [iri, PALETTE[i % PALETTE.length]]));
  const scale = scales(points);
  const title = `${group.subject ? `${group.subject} · ` : ""}${group.metric}${group.unit ? `（${group.unit}）` : ""}`;
  const svg = h(
    "svg:svg",
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      width: "100%",
      role: "img",
      "aria-label": `${title}：${points.length} 个数据点`,
      class: "fact-chart-svg",
    },
    axes(scale, group.unit),
    reports.map((iri) => series(points.filter((o) => o.report.iri === iri), scale, colour.get(iri), iri === highlight)),
  );
  return h(
    "figure",
    { class: "fact-chart", "data-metric": group.metric, "data-subject": group.subject || "", "data-unit": group.unit || "" },
    h("figcaption", {}, title),
    svg,
    legend(reports, points, colour, highlight),
  );
}

function seriesOrder(points, highlight) {
  const iris = [...new Set(points.map((o) => o.report.iri))];
  return iris.sort((a, b) => (a === highlight ? -1 : b === highlight ? 1 : a.localeCompare(b)));
}

function niceStep(span) {
  const raw = span / Y_TICKS;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  return step || magnitude * 10;
}

function scales(points) {
  const years = points.map((o) => o.year);
  const values = points.flatMap((o) => [Number(o.value), Number(o.valueMax ?? o.value)]);
  const firstYear = Math.min(...years);
  const lastYear = Math.max(...years);
  const low = Math.min(0, ...values);
  const step = niceStep((Math.max(...values, 0) * Y_HEADROOM - low) || 1);
  const top = Math.ceil((Math.max(...values, 0) * Y_HEADROOM || 1) / step) * step;
  const bottom = Math.floor(low / step) * step;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (year) =>
    firstYear === lastYear
      ? MARGIN.left + plotWidth / 2
      : MARGIN.left + ((year - firstYear) / (lastYear - firstYear)) * plotWidth;
  const y = (value) => MARGIN.top + plotHeight - ((value - bottom) / (top - bottom || 1)) * plotHeight;
  return { x, y, firstYear, lastYear, top, bottom, step };
}

function axes(scale, unit) {
  const out = [];
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;
  for (let v = scale.bottom; v <= scale.top + scale.step / 2; v += scale.step) {
    const y = scale.y(v);
    out.push(
      h("svg:line", { x1: left, x2: right, y1: y, y2: y, stroke: "#ddd", "stroke-width": 1 }),
      h("svg:text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#555" }, formatNumber(v)),
    );
  }
  for (let year = scale.firstYear; year <= scale.lastYear; year += 1) {
    out.push(
      h("svg:text", { x: scale.x(year), y: HEIGHT - 10, "text-anchor": "middle", "font-size": 11, fill: "#555" }, String(year)),
    );
  }
  out.push(
    h("svg:line", { x1: left, x2: right, y1: scale.y(scale.bottom), y2: scale.y(scale.bottom), stroke: "#888" }),
    unit ? h("svg:text", { x: 4, y: MARGIN.top + 4, "font-size": 11, fill: "#555" }, unit) : null,
  );
  return h("svg:g", { class: "axes", "aria-hidden": "true" }, out);
}

function formatNumber(value) {
  return Number(value.toFixed(6)).toLocaleString("zh-CN");
}

function series(points, scale, colour, bold) {
  const sorted = [...points].sort((a, b) => a.year - b.year || Number(a.value) - Number(b.value));
  const lines = [];
  for (let i = 1; i < sorted.length; i += 1) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (a.year === b.year) continue; // two figures for one year: points only, no vertical zigzag
    lines.push(
      h("svg:line", {
        x1: scale.x(a.year),
        y1: scale.y(Number(a.value)),
        x2: scale.x(b.year),
        y2: scale.y(Number(b.value)),
        stroke: colour,
        "stroke-width": bold ? 2.5 : 1.5,
        "stroke-dasharray": a.forecast || b.forecast ? FORECAST_DASH : null,
        class: a.forecast || b.forecast ? "forecast-line" : "actual-line",
      }),
    );
  }
  return h("svg:g", { class: "series", "data-report": sorted[0]?.report.iri || "" }, lines, sorted.map((o) => point(o, scale, colour)));
}

function point(o, scale, colour) {
  const cx = scale.x(o.year);
  const cy = scale.y(Number(o.value));
  const kind = o.forecast ? "预测 forecast" : "实际 actual";
  const figure = `${o.year}年 ${o.value}${o.valueMax ? `–${o.valueMax}` : ""}${o.unit || ""}`;
  const tooltip = `${figure} · ${kind} · ${o.report.title || o.report.rid}\n${o.evidence.sentence || o.evidence.text || ""}`;
  return h(
    "svg:a",
    { href: hrefFor(o.evidence.passage || o.report.iri), class: "chart-point" },
    h("svg:title", {}, tooltip),
    o.valueMax
      ? h("svg:line", { x1: cx, x2: cx, y1: cy, y2: scale.y(Number(o.valueMax)), stroke: colour, "stroke-width": 3 })
      : null,
    h("svg:circle", {
      cx,
      cy,
      r: POINT_RADIUS,
      fill: o.forecast ? "#fff" : colour,
      stroke: colour,
      "stroke-width": 2,
      "data-fact": o.iri,
      "data-year": o.year,
      "data-value": o.value,
      "data-report": o.report.iri,
      "data-forecast": o.forecast ? "true" : "false",
      "data-passage": o.evidence.passage || "",
    }),
  );
}

function swatch(colour, hollow) {
  return h(
    "svg:svg",
    { width: 14, height: 14, viewBox: "0 0 14 14", "aria-hidden": "true" },
    h("svg:circle", { cx: 7, cy: 7, r: 5, fill: hollow ? "#fff" : colour, stroke: colour, "stroke-width": 2 }),
  );
}

function legend(reports, points, colour, highlight) {
  const title = (iri) => points.find((o) => o.report.iri === iri)?.report.title || iri.split("/").pop();
  return h(
    "ul",
    { class: "chart-legend plain" },
    reports.map((iri) =>
      h("li", { "data-report": iri }, swatch(colour.get(iri), false), " ", iri === highlight ? h("strong", {}, title(iri)) : title(iri)),
    ),
    h("li", { class: "muted" }, swatch("#555", false), " 实际 actual ", swatch("#555", true), " 预测 forecast（虚线）"),
  );
}

/** The charts of a /facts response, or a note when it has none. */
export function factCharts(body, options = {}) {
  const groups = chartableGroups(body.groups || []);
  if (!groups.length) return h("p", { class: "muted" }, "没有可绘制的年度数据。");
  return h("div", { class: "fact-charts" }, groups.map((g) => factChart(g, options)));
}
