// Masking of run-dependent values and structural comparison of answers.
'use strict';

// Attributes whose values differ from run to run (README of the transcripts).
const MASKED_KEYS = new Set([
  '_rev',
  '_oldRev',
  'objectId',
  'globallyUniqueId',
  'tick',
  'lastTick',
  'lastLogTick',
  'lastUncommittedLogTick',
  'time',
  'timestamp',
  'serverId',
  'executionTime',
  'peakMemoryUsage',
  'planId',
  'jobId',
  'revision',
  'checksum',
  // the documentation server is an Enterprise build; the emulator reports the Community licence
  'license',
]);
// Counters that depend on the server's global tick, not on the example.
const MASKED_NONZERO_NUMBERS = new Set(['lastValue']);

const REV = /^_[A-Za-z0-9_-]{10}$/;
// Cluster shard ids (`s8010039`: `s` and the shard's numeric id).
const SHARD = /^s\d{4,}$/;
// Cluster server ids (`PRMR-85cea042-59e3-4fa6-ba85-f1cef2e7f4c7`): role prefix and a UUID.
const SERVER_ID = /^(PRMR|CRDN|AGNT|SNGL)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function maskString(s) {
  if (REV.test(s)) return '<rev>';
  if (SHARD.test(s)) return 's<shard>';
  if (SERVER_ID.test(s)) return s.slice(0, 5) + '<server>';
  return s
    .replace(/^\[ArangoCollection \d+,/, '[ArangoCollection <id>,')
    .replace(/^\[ArangoView \d+,/, '[ArangoView <id>,')
    .replace(/\bidx_\d{6,}\b/g, 'idx_<n>')
    .replace(/(^|[/:' ])(?<!ArangoError )\d{4,}(?=$|[/' ,;:)?&\]])/g, '$1<id>')
    .replace(/\bh[0-9A-F]{12}\//g, '<server>/');
}

/** Replaces every value that legitimately varies between runs by a marker. */
function mask(value, key) {
  if (key !== undefined && MASKED_KEYS.has(key) && value !== null && value !== undefined) return '<masked>';
  if (key !== undefined && MASKED_NONZERO_NUMBERS.has(key) && typeof value === 'number' && value !== 0) return '<n>';
  if (key === 'id' && typeof value === 'string' && /^\d+$/.test(value)) return '<id>';
  if (typeof value === 'string') return maskString(value);
  if (Array.isArray(value)) return value.map((v) => mask(v));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      // Keys that mask alike (shard ids, document handles) stay distinct, so
      // their number is still compared: the second is `<masked>#2`, ...
      let masked = maskString(k);
      if (masked !== k && masked in out) {
        let n = 2;
        while (`${masked}#${n}` in out) n++;
        masked = `${masked}#${n}`;
      }
      out[masked] = mask(v, k);
    }
    return out;
  }
  return value;
}

/**
 * The first difference between two masked values, as a string, or null.
 * Object key order is ignored, array order is kept.
 */
function diff(expected, actual, path = '$') {
  if (expected === actual) return null;
  const te = Array.isArray(expected) ? 'array' : expected === null ? 'null' : typeof expected;
  const ta = Array.isArray(actual) ? 'array' : actual === null ? 'null' : typeof actual;
  if (te !== ta) return `${path}: expected ${show(expected)}, got ${show(actual)}`;
  if (te === 'array') {
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
      const d = diff(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
    if (expected.length !== actual.length) return `${path}: expected ${expected.length} elements, got ${actual.length}`;
    return null;
  }
  if (te === 'object') {
    const missing = Object.keys(expected).filter((k) => !(k in actual));
    const extra = Object.keys(actual).filter((k) => !(k in expected));
    if (missing.length) return `${path}: missing ${missing.map((k) => `${k}=${show(expected[k])}`).join(', ')}`;
    if (extra.length) return `${path}: unexpected ${extra.map((k) => `${k}=${show(actual[k])}`).join(', ')}`;
    for (const k of Object.keys(expected)) {
      const d = diff(expected[k], actual[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  if (te === 'number' && ta === 'number' && Math.abs(expected - actual) < 1e-9) return null;
  return `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

function show(v) {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 160 ? s.slice(0, 157) + '...' : s;
}

module.exports = { mask, diff, show };
