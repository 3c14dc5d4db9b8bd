// arangosh's printout format: reading the recorded `output` of arangosh
// examples, rendering the shim's values the same way, and choosing the
// examples whose printout shows an object arangosync manages.
'use strict';

// An object arangosync manages appears in the printout: a collection, its
// properties, an index, a graph definition, a view, an analyzer.
const MANAGED = /\[ArangoCollection |"keyOptions" :|"fields" :|"edgeDefinitions" :|\[ArangoView |"links" :|\[ArangoAnalyzer |"primarySort" :/;

// Scripts that manage databases, or collection properties whose effect shows
// in what they print (computed values, schemas).
const MANAGING = /_createDatabase|_useDatabase|_dropDatabase|_databases\(|computedValues|schema:/;

/**
 * The arangosh examples (from `<v>-all.json`) whose printout shows a managed
 * object, or that manage databases or collection properties.
 */
function selectArangosh(examples) {
  return examples.filter((e) => typeof e.output === 'string' && (MANAGED.test(e.output) || MANAGING.test(e.script)));
}

// arangosh prints objects of its own classes between brackets, e.g.
// `[ArangoCollection 70137, "products" (type document, status loaded)]`.
const SHELL_OBJECT = /\[(?:object )?Arango\w+[^\]\n]*\]/g;

/**
 * Reads a printout as the sequence of values arangosh printed one after
 * another; what is not JSON (explain tables, messages) becomes {text}.
 */
function parsePrintout(output) {
  const src = output
    .replace(SHELL_OBJECT, (m) => JSON.stringify(m))
    .replace(/\{\[GeneralGraph\]\s*(?=\})/g, '{"[GeneralGraph]" : true')
    .replace(/\{\[GeneralGraph\]/g, '{"[GeneralGraph]" : true,');
  const blocks = [];
  let i = 0;
  while (i < src.length) {
    while (i < src.length && /\s/.test(src[i])) i++;
    if (i >= src.length) break;
    const end = valueEnd(src, i);
    if (end > i) {
      try {
        blocks.push(JSON.parse(src.slice(i, end)));
        i = end;
        continue;
      } catch (_) {
        // not JSON: fall through to text
      }
    }
    const blank = src.slice(i).search(/\n\s*\n/);
    const stop = blank < 0 ? src.length : i + blank;
    blocks.push({ text: src.slice(i, stop).replace(/[ \t]+$/gm, '').trim() });
    i = stop;
  }
  return { blocks };
}

/** The end of the JSON value starting at `i` (bracket matching), or `i`. */
function valueEnd(src, i) {
  const open = src[i];
  if (open === '"') {
    const m = /^"(?:[^"\\\n]|\\.)*"/.exec(src.slice(i));
    return m ? i + m[0].length : i;
  }
  if (open !== '{' && open !== '[') {
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)(?=\s|$)/.exec(src.slice(i));
    return m ? i + m[0].length : i;
  }
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(src.slice(j));
      if (!m) return i;
      j += m[0].length - 1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return i;
}

/** A shim value as arangosh would print it (JSON values stay values). */
function render(v) {
  if (v && typeof v === 'object' && v.__error) {
    const e = v.__error;
    return e.errorNum ? `[ArangoError ${e.errorNum}: ${e.errorMessage}]` : { text: String(e) };
  }
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(render);
  if (v.__graph) {
    const out = { '[GeneralGraph]': true };
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('_') && typeof x === 'object') out[k] = String(x);
    return out;
  }
  if (Object.prototype.hasOwnProperty.call(v, 'toString') || (v.constructor && v.constructor !== Object && typeof v.toString === 'function' && v.toString !== Object.prototype.toString)) {
    return String(v);
  }
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'function') continue;
    out[k] = render(x);
  }
  return out;
}

module.exports = { parsePrintout, render, selectArangosh };
