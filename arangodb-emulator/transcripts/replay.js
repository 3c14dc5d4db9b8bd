#!/usr/bin/env node
// Replays the recorded ArangoDB documentation examples
// (../shared/arangodb-transcripts) against the emulator and compares what it
// answers with what the real server answered.
//
//   node replay.js --emulator BIN --transcripts DIR [--only REGEX] [--verbose]
//                  [--update-baseline]
//
// Each example runs on a fresh emulator started for its version and
// deployment. See README.md here. HTTP examples (`<v>.json`, and the GET
// examples of `<v>-all.json` decoded from their curl lines): the example's arangosh script runs
// in a sandbox with a shim of the arangosh API (arangosh.js); each
// logCurlRequest is sent and each logged answer is compared with the
// recorded one (status, errorNum, errorMessage, body), after masking what
// varies between runs. arangosh examples (`<v>-all.json`) that print an
// object arangosync manages: the script runs the same way and every printed
// value is compared with arangosh's printout.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { spawn } = require('node:child_process');
const { SyncHttp } = require('./http-sync');
const { makeShim, ShimUnsupported } = require('./arangosh');
const { mask, diff } = require('./compare');
const { parsePrintout, render, selectArangosh } = require('./printout');

const HERE = __dirname;
const TARGETS = [
  { version: '3.11', emulatorVersion: '3.11.14' },
  { version: '3.12', emulatorVersion: '3.12.10' },
  { version: '4.x', emulatorVersion: '4.0.0' },
];
const DEPLOYMENTS = [
  { deployment: 'single', role: 'single' },
  { deployment: 'cluster', role: 'coordinator' },
];

function parseArgs(argv) {
  const args = { verbose: false, updateBaseline: false };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--verbose') args.verbose = true;
    else if (a === '--update-baseline') args.updateBaseline = true;
    else if (a === '--emulator') args.emulator = argv[++i];
    else if (a === '--transcripts') args.transcripts = argv[++i];
    else if (a === '--only') args.only = new RegExp(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.emulator || !args.transcripts) throw new Error('usage: replay.js --emulator BIN --transcripts DIR');
  return args;
}

/** Starts an emulator on a free port; resolves to {url, stop}. */
function startEmulator(bin, version, role) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--listen', '127.0.0.1:0', '--arangodb-version', version, '--role', role, '--root-password', ''], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: Object.assign({}, process.env, { ARANGO_ROOT_PASSWORD: '' }),
    });
    let out = '';
    let err = '';
    const fail = (why) => reject(new Error(`emulator ${version} ${role}: ${why}${err ? ': ' + err.trim() : ''}`));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => fail(String(e)));
    child.on('exit', (code) => fail(`exited with ${code}`));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        child.removeAllListeners('exit');
        resolve({
          url: m[1].replace(/\/$/, ''),
          stop: () =>
            new Promise((done) => {
              child.on('exit', () => done());
              if (child.exitCode !== null || child.signalCode !== null) done();
              else child.kill('SIGKILL');
            }),
        });
      }
    });
  });
}

/**
 * An HTTP example of `<v>-all.json` that `<v>.json` lacks (the GET examples),
 * decoded from its curl command lines and the raw answers it printed.
 */
function decodeCurlExample(e) {
  const requests = e.input
    .split('\n')
    .filter((l) => /^\s*curl /.test(l))
    .map((l) => {
      const m = /-X (\w+)/.exec(l);
      const url = /'https?:\/\/[^/']+([^']*)'/.exec(l) || /\shttps?:\/\/[^/\s]+(\S*)/.exec(l);
      return { method: m ? m[1] : / --head\b| -I\b/.test(l) ? 'HEAD' : 'GET', path: url ? url[1] : '?' };
    });
  const answers = e.output
    .split(/^(?=HTTP\/1\.1 \d+)/m)
    .filter((x) => /^HTTP\/1\.1/.test(x))
    .map((x) => {
      const [head, ...bodyParts] = x.split(/\n\s*\n/);
      const body = bodyParts.join('\n\n').trim();
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)[1]);
      const etag = /^etag: (.*)$/im.exec(head);
      let responseBody = null;
      if (body !== '') {
        try {
          responseBody = JSON.parse(body);
        } catch (_) {
          responseBody = body;
        }
      }
      const out = { status, responseBody };
      if (etag) out.etag = etag[1].trim();
      return out;
    });
  const exchanges = requests.map((r, i) => Object.assign({}, r, answers[i] || {}));
  return { name: e.name, version: e.version, deployment: e.deployment, script: e.script, exchanges, fromCurl: true };
}

/** Drops the `~` marker arangosh uses for hidden example lines. */
const plainScript = (script) => script.split('\n').map((l) => l.replace(/^~/, '')).join('\n');

/** Runs an HTTP example and compares its logged exchanges; returns null or the first difference. */
function replayHttp(example, http) {
  const sent = [];
  const logged = [];
  const record = {
    request: (method, url, body, res) => sent.push({ method, url, res }),
    response: (res) => logged.push(res),
    print: () => {},
  };
  const ctx = vm.createContext(makeShim(http, record, example.version));
  let scriptError = null;
  try {
    vm.runInContext(plainScript(example.script), ctx, { filename: example.name });
  } catch (e) {
    if (e instanceof ShimUnsupported || (e && e.constructor && e.constructor.name === 'ShimUnsupported')) return `harness: ${e.message}`;
    scriptError = e;
  }
  // `<v>.json` leaves out GET requests (their answers are kept, in order):
  // compare the requests the same way.
  if (!example.fromCurl) {
    for (let i = sent.length - 1; i >= 0; i--) if (sent[i].method === 'GET') sent.splice(i, 1);
  }
  const ex = example.exchanges;
  for (let i = 0; i < ex.length; i++) {
    const want = ex[i];
    const got = sent[i];
    if (!got) {
      return `exchange ${i + 1} (${want.method} ${want.path}) never sent` + (scriptError ? `: script stopped: ${scriptError.message}` : '');
    }
    if (got.method !== want.method || maskString(got.url) !== maskString(want.path)) {
      return `exchange ${i + 1}: sent ${got.method} ${got.url}, transcript has ${want.method} ${want.path}`;
    }
    if (!('status' in want)) continue;
    const res = logged[i];
    if (!res) return `exchange ${i + 1}: no logged answer` + (scriptError ? `: script stopped: ${scriptError.message}` : '');
    const where = `exchange ${i + 1} (${want.method} ${want.path})`;
    if (res.code !== want.status) {
      const b = res.parsedBody;
      return `${where}: status ${res.code}, expected ${want.status}` + (b && b.errorMessage ? ` (${b.errorNum}: ${b.errorMessage})` : '');
    }
    if (want.etag !== undefined && res.headers.etag === undefined) return `${where}: no etag header`;
    const expected = want.responseBody === undefined ? null : want.responseBody;
    let actual = res.parsedBody;
    if (actual === undefined) actual = res.body === '' || res.body === undefined ? null : res.body;
    const d = diff(mask(expected), mask(actual));
    if (d) return `${where}: ${d}`;
    // Where the recorded ETag is the document's revision, the emulator's must be its own.
    if (expected && want.etag === `"${expected._rev}"` && res.headers.etag !== `"${actual && actual._rev}"`) {
      return `${where}: etag ${res.headers.etag}, expected the answer's revision "${actual && actual._rev}"`;
    }
  }
  if (sent.length > ex.length) return `sent ${sent.length} requests, transcript has ${ex.length}`;
  if (scriptError) return `script failed: ${scriptError.message}`;
  return null;
}

function maskString(s) {
  return mask(String(s));
}

/** Runs an arangosh example statement by statement and compares the printed values. */
function replayArangosh(example, http) {
  const expected = parsePrintout(example.output);
  if (expected.error) return `harness: cannot read the printout: ${expected.error}`;
  const printed = [];
  const record = { request: () => {}, response: () => {}, print: (a) => printed.push(a.map((x) => (typeof x === 'string' ? x : render(x))).join(' ')) };
  const ctx = vm.createContext(makeShim(http, record, example.version));
  const statements = splitStatements(example.script);
  const values = [];
  for (const st of statements) {
    let v;
    try {
      v = vm.runInContext(st.code, ctx, { filename: example.name });
    } catch (e) {
      if (e && e.constructor && e.constructor.name === 'ShimUnsupported') return `harness: ${e.message}`;
      if (st.hidden) continue;
      v = { __error: e };
    }
    if (st.hidden) continue;
    for (const p of printed.splice(0)) values.push({ text: p });
    // rendered now: a later statement may change the object (e.g. drop a collection)
    if (v !== undefined) values.push({ value: render(v) });
  }
  const got = values.map((v) => (v.text !== undefined ? { text: v.text } : v.value));
  if (got.length !== expected.blocks.length) {
    return `printed ${got.length} values, transcript shows ${expected.blocks.length}`;
  }
  for (let i = 0; i < got.length; i++) {
    const e = expected.blocks[i];
    const g = got[i];
    const d = diff(mask(e), mask(typeof g === 'object' && g !== null && 'text' in g ? { text: g.text } : g));
    if (d) return `printed value ${i + 1}: ${d}`;
  }
  return null;
}

/** Splits a script into top-level statements (the units arangosh prints after). */
function splitStatements(script) {
  const out = [];
  let buf = [];
  let hidden = true;
  for (const raw of script.split('\n')) {
    const isHidden = raw.startsWith('~');
    const line = isHidden ? raw.slice(1) : raw;
    if (buf.length === 0) hidden = isHidden;
    buf.push(line);
    const code = buf.join('\n');
    if (code.trim() === '') {
      buf = [];
      continue;
    }
    try {
      new vm.Script(code);
      out.push({ code, hidden });
      buf = [];
    } catch (_) {
      // incomplete statement: keep reading lines
    }
  }
  if (buf.length) out.push({ code: buf.join('\n'), hidden });
  return out;
}

function loadJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if (fallback !== undefined && e.code === 'ENOENT') return fallback;
    throw e;
  }
}

async function main() {
  const args = parseArgs(process.argv);
  const exclusions = loadJson(path.join(HERE, 'exclusions.json'));
  const baselineFile = path.join(HERE, 'baseline.json');
  const baseline = loadJson(baselineFile, {});
  const passing = {};
  const regressions = [];
  const excludedLines = [];
  const failures = [];
  const summary = [];
  const notInScope = [];
  const client = new SyncHttp('http://127.0.0.1:1');

  for (const t of TARGETS) {
    const http = loadJson(path.join(args.transcripts, `${t.version}.json`));
    const all = loadJson(path.join(args.transcripts, `${t.version}-all.json`));
    const httpNames = new Set(http.map((e) => e.name));
    const rest = all.filter((e) => !httpNames.has(e.name));
    const curl = rest.filter((e) => /^\s*curl /.test(e.input || ''));
    const shell = rest.filter((e) => !curl.includes(e));
    const selected = selectArangosh(shell);
    const cases = [
      ...http.map((e) => ({ kind: 'http', example: e })),
      ...curl.map((e) => ({ kind: 'http', example: decodeCurlExample(e) })),
      ...selected.map((e) => ({ kind: 'arangosh', example: e })),
    ];
    notInScope.push(`${t.version}: ${shell.length - selected.length} of ${shell.length} arangosh examples print no object arangosync manages (not in scope)`);
    for (const d of DEPLOYMENTS) {
      const key = `${t.version} ${d.deployment}`;
      const mine = cases.filter((c) => (d.deployment === 'cluster') === c.example.name.endsWith('_cluster'));
      let ran = 0;
      let ok = 0;
      passing[key] = [];
      for (const c of mine) {
        const name = c.example.name;
        if (args.only && !args.only.test(name)) continue;
        const reason = exclusionReason(exclusions, name, c);
        if (reason) {
          excludedLines.push(`  ${key}  ${name}: ${reason}`);
          continue;
        }
        ran++;
        if (process.env.REPLAY_TRACE) process.stderr.write(`${key} ${name}\n`);
        let problem;
        let emu;
        try {
          emu = await startEmulator(args.emulator, t.emulatorVersion, d.role);
          client.base = emu.url;
          problem = c.kind === 'http' ? replayHttp(c.example, client) : replayArangosh(c.example, client);
        } catch (e) {
          problem = `harness error: ${e && e.stack ? e.stack.split('\n').slice(0, 2).join(' ') : e}`;
        } finally {
          if (emu) await emu.stop();
        }
        if (problem) {
          failures.push(`  ${key}  ${name}: ${problem}`);
          if ((baseline[key] || []).includes(name)) regressions.push(`${key} ${name}`);
        } else {
          ok++;
          passing[key].push(name);
        }
      }
      const considered = mine.filter((c) => !args.only || args.only.test(c.example.name)).length;
      summary.push(`${ok}/${ran} transcripts reproduced: ${t.version} ${d.deployment} (${considered - ran} excluded)`);
    }
  }

  await client.close();
  console.log(`== excluded examples (${excludedLines.length})`);
  if (args.verbose) for (const l of excludedLines) console.log(l);
  else console.log(groupReasons(excludedLines));
  console.log(`== not reproduced (${failures.length})`);
  for (const l of failures) console.log(l);
  for (const l of notInScope) console.log(l);
  console.log('== summary');
  for (const s of summary) console.log(s);
  // The closing line in the plain form test-result readers understand.
  const reproduced = Object.values(passing).reduce((n, names) => n + names.length, 0);
  console.log(`transcripts: ${reproduced} passed, ${failures.length} failed, ${excludedLines.length} skipped`);
  if (args.updateBaseline) {
    fs.writeFileSync(baselineFile, JSON.stringify(passing, null, 1) + '\n');
    console.log(`baseline rewritten: ${baselineFile}`);
    return 0;
  }
  if (regressions.length) {
    console.log(`REGRESSION: ${regressions.length} once-passing example(s) now fail: ${regressions.join(', ')}`);
    return 1;
  }
  return 0;
}

const REVISION_ALPHABET = '-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * When an example was recorded, read from the first hybrid-logical-clock
 * value in what it printed (a `_rev` or a generated `idx_` name: wall-clock
 * milliseconds above 20 bits), or null.
 */
function recordedAt(c) {
  const text = c.kind === 'http' ? JSON.stringify(c.example.exchanges) : c.example.output || '';
  const rev = /"_rev" ?: ?"(_[A-Za-z0-9_-]{10})"/.exec(text);
  let clock = null;
  if (rev) {
    clock = 0n;
    for (const ch of rev[1]) clock = clock * 64n + BigInt(REVISION_ALPHABET.indexOf(ch));
  } else {
    const idx = /idx_(\d{19})\b/.exec(text);
    if (idx) clock = BigInt(idx[1]);
  }
  return clock === null ? null : new Date(Number(clock >> 20n));
}

/** The reason an example is excluded, or null. */
function exclusionReason(exclusions, name, c) {
  if (exclusions.examples[name]) return exclusions.examples[name];
  const forVersion = (exclusions.byVersion || {})[c.example.version] || {};
  if (forVersion[name]) return forVersion[name];
  // Most of the 4.x file was not regenerated: an answer recorded before 2026
  // came from a 3.12.0 nightly and is no evidence of 4.0 behaviour.
  if (c.example.version === '4.x') {
    const when = recordedAt(c);
    const text = c.kind === 'http' ? JSON.stringify(c.example.exchanges) : c.example.output || '';
    if ((when && when.getUTCFullYear() < 2026) || /3\.12\.0-nightly/.test(text)) {
      return 'the 4.x file was not regenerated here: recorded by a 3.12.0 nightly, not by 4.0';
    }
  }
  if (c.kind === 'http' && c.example.exchanges.length === 0) return 'no recorded exchange (the 4.x file was not fully regenerated)';
  if (c.kind === 'http' && !c.example.exchanges.some((x) => 'status' in x)) return 'no recorded answer (the 4.x file was not fully regenerated)';
  const paths = c.kind === 'http' ? c.example.exchanges.map((x) => x.path) : [];
  const text = c.example.script + (c.example.input ? '\n' + c.example.input : '');
  for (const rule of exclusions.rules) {
    if (rule.name && new RegExp(rule.name).test(name)) return rule.reason;
    if (rule.path && paths.some((p) => new RegExp(rule.path).test(p))) return rule.reason;
    if (rule.script && new RegExp(rule.script).test(text)) return rule.reason;
  }
  return null;
}

/** The exclusion list, one line per example, grouped by reason. */
function groupReasons(lines) {
  const by = new Map();
  for (const l of lines) {
    const m = /^ {2}(\S+ \S+) {2}(\S+): (.*)$/.exec(l);
    const k = m[3];
    if (!by.has(k)) by.set(k, []);
    by.get(k).push(`${m[2]} [${m[1]}]`);
  }
  const out = [];
  for (const [reason, names] of by) out.push(`  ${reason}\n    ${names.join(', ')}`);
  return out.join('\n');
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(2);
  },
);
