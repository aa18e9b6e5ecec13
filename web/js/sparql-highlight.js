// A small SPARQL tokenizer for colouring the editor: comments, IRIs, strings, variables, prefixed names,
// numbers and keywords. It only colours; the server parses and reports errors.

const KEYWORDS = new Set(
  `select construct describe ask where from named prefix base distinct reduced as filter optional union minus graph
service bind values group by order having limit offset asc desc not exists in count sum min max avg sample
group_concat separator str lang langmatches datatype bound iri uri bnode rand abs ceil floor round concat strlen
ucase lcase encode_for_uri contains strstarts strends strbefore strafter year month day hours minutes seconds
timezone tz now uuid struuid md5 sha1 sha256 sha384 sha512 coalesce if strlang strdt sameterm isiri isuri
isblank isliteral isnumeric regex substr replace true false insert delete data load clear drop create add move
copy with using default all silent to undef`.split(/\s+/),
);

const TOKEN = new RegExp(
  [
    String.raw`(?<cm>#[^\n]*)`,
    String.raw`(?<iri><[^<>"{}|^\x60\\\s]*>)`,
    String.raw`(?<str>"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')`,
    String.raw`(?<var>[?$][\p{L}\p{N}_]+)`,
    String.raw`(?<pn>[\p{L}_][\p{L}\p{N}_.-]*:[\p{L}\p{N}_:%.-]*|:[\p{L}\p{N}_:%.-]*)`,
    String.raw`(?<num>[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)`,
    String.raw`(?<word>[\p{L}_][\p{L}\p{N}_]*)`,
    String.raw`(?<other>\s+|.)`,
  ].join("|"),
  "gu",
);

/** [[class or null, text], …] covering the whole text. */
export function tokenize(text) {
  const tokens = [];
  for (const match of text.matchAll(TOKEN)) {
    const groups = match.groups;
    const kind = Object.keys(groups).find((key) => groups[key] !== undefined);
    let cls = null;
    if (kind === "word") cls = KEYWORDS.has(match[0].toLowerCase()) || match[0] === "a" ? "kw" : null;
    else if (kind !== "other") cls = kind;
    const last = tokens[tokens.length - 1];
    if (last && last[0] === cls && cls === null) last[1] += match[0];
    else tokens.push([cls, match[0]]);
  }
  return tokens;
}

/** Replace the children of `pre` with the coloured tokens of `text`. */
export function highlightInto(pre, text) {
  const out = document.createDocumentFragment();
  for (const [cls, value] of tokenize(text)) {
    if (cls) {
      const span = document.createElement("span");
      span.className = `tok-${cls}`;
      span.textContent = value;
      out.append(span);
    } else {
      out.append(value);
    }
  }
  out.append("\n"); // a trailing newline in the textarea needs a line in the copy too
  pre.replaceChildren(out);
}
