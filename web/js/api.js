// The JSON API as the pages use it. Requests go through a small queue (the server limits how many
// requests one client may have in flight), and errors become ApiError with the problem's detail.

const MAX_IN_FLIGHT = 4;
let inFlight = 0;
const waiting = [];

async function slot(task) {
  if (inFlight >= MAX_IN_FLIGHT) await new Promise((resolve) => waiting.push(resolve));
  inFlight += 1;
  try {
    return await task();
  } finally {
    inFlight -= 1;
    const next = waiting.shift();
    if (next) next();
  }
}

export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

async function problem(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return new ApiError(
    response.status,
    (body && body.title) || `HTTP ${response.status}`,
    (body && body.detail) || response.statusText,
  );
}

export function url(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") query.set(key, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export async function request(path, options = {}) {
  return slot(async () => {
    let response;
    try {
      response = await fetch(path, options);
    } catch (error) {
      throw new ApiError(0, "无法连接服务", `${error.message}: is cnkg serve running?`);
    }
    if (!response.ok) throw await problem(response);
    return response;
  });
}

export async function getJSON(path, params = {}) {
  const response = await request(url(path, params), { headers: { Accept: "application/json" } });
  return response.json();
}

/** Run a SPARQL query; `accept` picks the result format. Returns the Response. */
export async function sparql(query, accept = "application/sparql-results+json") {
  return request("/sparql", {
    method: "POST",
    headers: { Accept: accept, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ query }),
  });
}

/** SELECT rows as plain objects {var: value} (missing bindings are undefined). */
export async function select(query) {
  const body = await (await sparql(query)).json();
  return body.results.bindings.map((row) =>
    Object.fromEntries(Object.entries(row).map(([key, cell]) => [key, cell.value])),
  );
}

/** "<iri>" for a query; rejects anything that could break out of the IRI. */
export function iriTerm(iri) {
  if (/[\s<>"{}|\\^`]/.test(iri)) throw new ApiError(400, "Bad input", `not an IRI: ${iri}`);
  return `<${iri}>`;
}

let reportsCache = null;

/** The ingested reports (cached for the session; an upload clears the cache). */
export async function listReports() {
  if (!reportsCache) {
    reportsCache = getJSON("/reports").then((body) => body.reports);
    reportsCache.catch(() => (reportsCache = null));
  }
  return reportsCache;
}

/** {report IRI: its title, else its source file name}; empty when the report list cannot be read. */
export async function reportTitles() {
  const reports = await listReports().catch(() => []);
  return Object.fromEntries(reports.map((r) => [r.iri, r.title || r.source]));
}

export function forgetReports() {
  reportsCache = null;
}

/** {iri: {section, text, start}} for passage IRIs, in one query. */
export async function passageDetails(iris) {
  const unique = [...new Set(iris)].filter(Boolean);
  if (!unique.length) return {};
  const rows = await select(`PREFIX cnkg: <https://w3id.org/cnkg/ontology#>
SELECT ?p ?section ?text ?start WHERE {
  VALUES ?p { ${unique.map(iriTerm).join(" ")} }
  OPTIONAL { ?p cnkg:section ?section } OPTIONAL { ?p cnkg:text ?text } OPTIONAL { ?p cnkg:start ?start }
}`);
  const out = {};
  for (const row of rows) {
    out[row.p] = { section: row.section, text: row.text, start: row.start === undefined ? null : Number(row.start) };
  }
  return out;
}
