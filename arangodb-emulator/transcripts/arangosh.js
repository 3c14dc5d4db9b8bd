// A shim of the arangosh API the documentation examples use. Every call is
// translated into the HTTP request arangosh itself would send, so the state an
// example builds is built through the emulator's own API.
'use strict';

/** Thrown for a server error, like arangosh's ArangoError. */
class ArangoError extends Error {
  constructor(body) {
    super(body && body.errorMessage ? body.errorMessage : 'ArangoError');
    this.error = true;
    this.code = body && body.code;
    this.errorNum = body && body.errorNum;
    this.errorMessage = body && body.errorMessage;
  }
  toString() {
    return `ArangoError ${this.errorNum}: ${this.errorMessage}`;
  }
}

/** Thrown when an example uses arangosh API the shim does not translate. */
class ShimUnsupported extends Error {}

const unsupported = (what) => () => {
  throw new ShimUnsupported(`shim does not translate ${what}`);
};

function parseBody(text, contentType) {
  if (text === '' || text === undefined) return undefined;
  if (!/json/.test(contentType || '') && !/^[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch (_) {
    return undefined;
  }
}

const COLLECTION_TYPES = { 2: 'document', 3: 'edge' };
const STATUS = { 1: 'new born', 2: 'unloaded', 3: 'loaded', 4: 'unloading', 5: 'deleted', 6: 'loading' };

/**
 * Builds the arangosh globals for one example run.
 * `http` is a SyncHttp; `record` receives logCurlRequest exchanges and
 * logged responses; `printed` receives print() output.
 */
function makeShim(http, record, docsVersion) {
  // arangosh 3.12.10 (the 3.12 examples) shows supportsRBAC in properties(); the 3.11 and 4.x (3.12.0 nightly) shells do not.
  const shownProperties = docsVersion === '3.12' ? SHOWN_PROPERTIES : SHOWN_PROPERTIES.filter((k) => k !== 'supportsRBAC');
  let currentDb = '_system';
  const prefix = () => (currentDb === '_system' ? '' : `/_db/${encodeURIComponent(currentDb)}`);

  /** One request as arangosh's arango.XXX_RAW: {code, error, headers, body, parsedBody}. */
  function send(method, path, body, headers) {
    const full = path.startsWith('/_db/') ? path : prefix() + path;
    let text;
    if (body !== undefined && body !== null) text = typeof body === 'string' ? body : JSON.stringify(body);
    const h = Object.assign({ authorization: 'Basic ' + Buffer.from('root:').toString('base64') }, headers || {});
    if (text !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    const res = http.request(method, full, text, h);
    const parsedBody = parseBody(res.body, res.headers['content-type']);
    return { code: res.status, error: res.status >= 400, headers: res.headers, body: res.body, parsedBody };
  }

  /** A request whose error answer throws, returning the parsed body. */
  function api(method, path, body) {
    const r = send(method, path, body);
    if (r.code >= 400) throw new ArangoError(r.parsedBody || { code: r.code, errorNum: r.code, errorMessage: r.body });
    return r.parsedBody;
  }

  const arango = {
    GET: (p, h) => send('GET', p, undefined, h).parsedBody,
    HEAD: (p, h) => send('HEAD', p, undefined, h),
    DELETE: (p, b, h) => send('DELETE', p, b, h).parsedBody,
    POST: (p, b, h) => send('POST', p, b, h).parsedBody,
    PUT: (p, b, h) => send('PUT', p, b, h).parsedBody,
    PATCH: (p, b, h) => send('PATCH', p, b, h).parsedBody,
    GET_RAW: (p, h) => send('GET', p, undefined, h),
    DELETE_RAW: (p, b, h) => send('DELETE', p, b, h),
    POST_RAW: (p, b, h) => send('POST', p, b, h),
    PUT_RAW: (p, b, h) => send('PUT', p, b, h),
    PATCH_RAW: (p, b, h) => send('PATCH', p, b, h),
  };

  const enc = encodeURIComponent;
  const docPath = (coll, handle) => {
    let id = handle;
    if (handle && typeof handle === 'object') id = handle._id || handle._key;
    id = String(id);
    if (!id.includes('/')) id = `${coll}/${id}`;
    const [c, k] = [id.slice(0, id.indexOf('/')), id.slice(id.indexOf('/') + 1)];
    return `/_api/document/${enc(c)}/${enc(k)}`;
  };
  const query = (opts) => {
    const q = Object.entries(opts || {})
      .filter(([, v]) => v !== undefined && (typeof v !== 'object' || v === null))
      .map(([k, v]) => `${enc(k)}=${enc(String(v))}`);
    return q.length ? '?' + q.join('&') : '';
  };

  class ArangoCollection {
    constructor(name, info) {
      this._name = name;
      this._id = info && info.id;
      this._type = info && info.type;
      this._status = info && info.status;
    }
    name() {
      return this._name;
    }
    _id_() {
      return this._id;
    }
    type() {
      return api('GET', `/_api/collection/${enc(this._name)}`).type;
    }
    properties(props) {
      let body;
      if (props === undefined) {
        body = api('GET', `/_api/collection/${enc(this._name)}/properties`);
      } else {
        const change = Object.fromEntries(Object.entries(props).filter(([k]) => WRITABLE_PROPERTIES.includes(k)));
        body = api('PUT', `/_api/collection/${enc(this._name)}/properties`, change);
      }
      return Object.fromEntries(Object.entries(body).filter(([k, v]) => shownProperties.includes(k) && v !== undefined));
    }
    ensureIndex(def) {
      return withoutError(api('POST', `/_api/index?collection=${enc(this._name)}`, def));
    }
    ensureGeoIndex(...fields) {
      return this.ensureIndex({ type: 'geo', fields });
    }
    indexes(withStats, withHidden) {
      const q = `/_api/index?collection=${enc(this._name)}` + (withStats ? '&withStats=true' : '') + (withHidden ? '&withHidden=true' : '');
      return api('GET', q).indexes;
    }
    getIndexes(...a) {
      return this.indexes(...a);
    }
    index(id) {
      const h = typeof id === 'object' ? id.id : String(id);
      const full = h.includes('/') ? h : `${this._name}/${h}`;
      return withoutError(api('GET', `/_api/index/${full.split('/').map(enc).join('/')}`));
    }
    dropIndex(id) {
      const h = typeof id === 'object' ? id.id : String(id);
      const full = h.includes('/') ? h : `${this._name}/${h}`;
      const r = send('DELETE', `/_api/index/${full.split('/').map(enc).join('/')}`);
      if (r.code === 404) return false;
      if (r.code >= 400) throw new ArangoError(r.parsedBody);
      return true;
    }
    save(a, b, c, d) {
      if (typeof a === 'string' || (a && typeof a === 'object' && !Array.isArray(a) && b && (typeof b === 'string' || b._id))) {
        // edge form: save(from, to, data, options)
        const from = typeof a === 'object' ? a._id : a;
        const to = typeof b === 'object' ? b._id : b;
        const doc = Object.assign({}, c || {}, { _from: from, _to: to });
        return api('POST', `/_api/document/${enc(this._name)}${query(d)}`, doc);
      }
      const r = api('POST', `/_api/document/${enc(this._name)}${query(b)}`, a);
      if (Array.isArray(r) && !(b && b.silent)) return r;
      return r;
    }
    insert(...a) {
      return this.save(...a);
    }
    document(h) {
      if (Array.isArray(h)) return api('PUT', `/_api/document/${enc(this._name)}?onlyget=true`, h);
      return api('GET', docPath(this._name, h));
    }
    exists(h) {
      const r = send('HEAD', docPath(this._name, h));
      return r.code === 200;
    }
    remove(h, opts) {
      if (Array.isArray(h)) return api('DELETE', `/_api/document/${enc(this._name)}${query(opts)}`, h);
      return api('DELETE', docPath(this._name, h) + query(opts));
    }
    update(h, data, opts) {
      if (Array.isArray(h)) return api('PATCH', `/_api/document/${enc(this._name)}${query(opts)}`, h);
      return api('PATCH', docPath(this._name, h) + query(opts), data);
    }
    replace(h, data, opts) {
      if (Array.isArray(h)) return api('PUT', `/_api/document/${enc(this._name)}${query(opts)}`, h);
      return api('PUT', docPath(this._name, h) + query(opts), data);
    }
    count() {
      return api('GET', `/_api/collection/${enc(this._name)}/count`).count;
    }
    figures() {
      return api('GET', `/_api/collection/${enc(this._name)}/figures`).figures;
    }
    revision() {
      return api('GET', `/_api/collection/${enc(this._name)}/revision`).revision;
    }
    checksum(withRevs, withData) {
      return stripEnvelope(api('GET', `/_api/collection/${enc(this._name)}/checksum${query({ withRevisions: withRevs, withData })}`));
    }
    truncate(opts) {
      api('PUT', `/_api/collection/${enc(this._name)}/truncate${query(opts)}`);
    }
    load() {
      api('PUT', `/_api/collection/${enc(this._name)}/load`);
    }
    unload() {
      api('PUT', `/_api/collection/${enc(this._name)}/unload`);
    }
    compact() {
      api('PUT', `/_api/collection/${enc(this._name)}/compact`);
    }
    rename(to) {
      api('PUT', `/_api/collection/${enc(this._name)}/rename`, { name: to });
      this._name = to;
    }
    drop(opts) {
      const r = send('DELETE', `/_api/collection/${enc(this._name)}${query(opts)}`);
      if (r.code >= 400 && r.code !== 404) throw new ArangoError(r.parsedBody);
      this._status = 5;
    }
    status() {
      return api('GET', `/_api/collection/${enc(this._name)}`).status;
    }
    toArray() {
      return runQuery('FOR d IN @@c RETURN d', { '@c': this._name }).toArray();
    }
    all() {
      return runQuery('FOR d IN @@c RETURN d', { '@c': this._name });
    }
    any() {
      const r = runQuery('FOR d IN @@c LIMIT 1 RETURN d', { '@c': this._name }).toArray();
      return r.length ? r[0] : null;
    }
    toString() {
      return `[ArangoCollection ${this._id}, "${this._name}" (type ${COLLECTION_TYPES[this._type] || 'unknown'}, status ${STATUS[this._status] || 'loaded'})]`;
    }
  }
  for (const m of ['edges', 'inEdges', 'outEdges', 'byExample', 'firstExample', 'range', 'near', 'within', 'fulltext', 'lookupByKeys', 'removeByKeys', 'iterate', 'shards', 'getResponsibleShard']) {
    ArangoCollection.prototype[m] = unsupported(`collection.${m}()`);
  }

  class ArangoQueryCursor {
    constructor(body) {
      this._body = body;
      this._result = body.result.slice();
      this._id = body.id;
      this._hasMore = body.hasMore;
    }
    toArray() {
      while (this._hasMore) {
        const next = api('POST', `/_api/cursor/${enc(this._id)}`);
        this._result.push(...next.result);
        this._hasMore = next.hasMore;
      }
      return this._result;
    }
    hasNext() {
      this.toArray();
      return this._result.length > 0;
    }
    next() {
      this.toArray();
      return this._result.shift();
    }
    count() {
      return this._body.count;
    }
    getExtra() {
      return this._body.extra;
    }
    toString() {
      return `[object ArangoQueryCursor, count: ${this._body.count}, cached: ${this._body.cached}, hasMore: ${this._hasMore}]`;
    }
  }

  function runQuery(q, bindVars, options) {
    let body;
    if (typeof q === 'object' && q !== null) {
      body = Object.assign({}, q);
    } else {
      body = { query: q };
      if (bindVars) body.bindVars = bindVars;
    }
    if (options) {
      for (const k of ['count', 'batchSize', 'ttl', 'cache', 'memoryLimit']) if (k in options) body[k] = options[k];
      const rest = Object.fromEntries(Object.entries(options).filter(([k]) => !['count', 'batchSize', 'ttl', 'cache', 'memoryLimit'].includes(k)));
      if (Object.keys(rest).length) body.options = rest;
    }
    return new ArangoQueryCursor(api('POST', '/_api/cursor', body));
  }

  class ArangoView {
    constructor(info) {
      this._name = info.name;
      this._id = info.id;
      this._type = info.type;
    }
    name() {
      return this._name;
    }
    type() {
      return this._type;
    }
    // arangosh shows a view's properties without its identity (name, id, type).
    properties(props, partial) {
      const body = props === undefined
        ? api('GET', `/_api/view/${enc(this._name)}/properties`)
        : api(partial === false ? 'PUT' : 'PATCH', `/_api/view/${enc(this._name)}/properties`, props);
      const out = stripEnvelope(body);
      for (const k of ['id', 'name', 'type', 'globallyUniqueId']) delete out[k];
      return out;
    }
    rename(to) {
      api('PUT', `/_api/view/${enc(this._name)}/rename`, { name: to });
      this._name = to;
    }
    drop() {
      api('DELETE', `/_api/view/${enc(this._name)}`);
    }
    toString() {
      return `[ArangoView ${this._id}, "${this._name}" (type ${this._type})]`;
    }
  }

  // arangosh hands out one object per collection, so a drop shows on all references.
  const handles = new Map();
  const handle = (info) => {
    let c = handles.get(info.name);
    if (!c || c._id !== info.id) {
      c = new ArangoCollection(info.name, info);
      handles.set(info.name, c);
    }
    c._status = info.status;
    return c;
  };
  const collection = (name) => {
    const r = send('GET', `/_api/collection/${enc(name)}`);
    if (r.code === 404) return null;
    if (r.code >= 400) throw new ArangoError(r.parsedBody);
    return handle(r.parsedBody);
  };

  const create = (name, props, type, options) => {
    const body = Object.assign({ name }, props || {});
    if (typeof type === 'object' && type !== null) options = type;
    else if (type === 'edge' || type === 3) body.type = 3;
    const q = options ? query(options) : '';
    return handle(api('POST', `/_api/collection${q}`, body));
  };

  const dbTarget = {
    _name: () => currentDb,
    _id: () => api('GET', '/_api/database/current').result.id,
    _path: () => api('GET', '/_api/database/current').result.path,
    _isSystem: () => currentDb === '_system',
    _properties: () => api('GET', '/_api/database/current').result,
    _version: () => api('GET', '/_api/version').version,
    _engine: () => stripEnvelope(api('GET', '/_api/engine')),
    _create: create,
    _createDocumentCollection: (name, props) => create(name, props, 2),
    _createEdgeCollection: (name, props) => create(name, props, 'edge'),
    _collection: collection,
    _collections: () => api('GET', '/_api/collection?excludeSystem=false').result.map((c) => new ArangoCollection(c.name, c)),
    _drop: (name, opts) => {
      const n = typeof name === 'object' ? name.name() : name;
      const r = send('DELETE', `/_api/collection/${enc(n)}${query(opts)}`);
      if (r.code >= 400 && r.code !== 404) throw new ArangoError(r.parsedBody);
      if (handles.has(n)) handles.get(n)._status = 5;
    },
    _truncate: (name) => api('PUT', `/_api/collection/${enc(typeof name === 'object' ? name.name() : name)}/truncate`),
    _flushCache: () => {},
    _query: runQuery,
    _createStatement: unsupported('db._createStatement()'),
    _parse: (q) => stripEnvelope(api('POST', '/_api/query', { query: q })),
    _explain: unsupported('db._explain()'),
    _profileQuery: unsupported('db._profileQuery()'),
    _document: (h) => api('GET', docPath(null, h)),
    _exists: (h) => send('HEAD', docPath(null, h)).code === 200,
    _remove: (h, opts) => api('DELETE', docPath(null, h) + query(opts)),
    _update: (h, d, opts) => api('PATCH', docPath(null, h) + query(opts), d),
    _replace: (h, d, opts) => api('PUT', docPath(null, h) + query(opts), d),
    _index: (id) => withoutError(api('GET', `/_api/index/${String(typeof id === 'object' ? id.id : id).split('/').map(enc).join('/')}`)),
    _dropIndex: (id) => {
      const r = send('DELETE', `/_api/index/${String(typeof id === 'object' ? id.id : id).split('/').map(enc).join('/')}`);
      if (r.code >= 400 && r.code !== 404) throw new ArangoError(r.parsedBody);
      return r.code < 400;
    },
    _createDatabase: (name, options, users) => {
      const body = { name };
      if (options) body.options = options;
      if (users) body.users = users;
      return api('POST', '/_db/_system/_api/database', body).result;
    },
    _dropDatabase: (name) => api('DELETE', `/_db/_system/_api/database/${enc(name)}`).result,
    _databases: () => api('GET', '/_db/_system/_api/database').result,
    _useDatabase: (name) => {
      const r = send('GET', `/_db/${enc(name)}/_api/database/current`);
      if (r.code >= 400) throw new ArangoError(r.parsedBody);
      currentDb = name;
      return true;
    },
    _createView: (name, type, props) => new ArangoView(api('POST', '/_api/view', Object.assign({ name, type }, props || {}))),
    _view: (name) => {
      const r = send('GET', `/_api/view/${enc(name)}`);
      if (r.code === 404) return null;
      if (r.code >= 400) throw new ArangoError(r.parsedBody);
      return new ArangoView(r.parsedBody);
    },
    _views: () => api('GET', '/_api/view').result.map((v) => new ArangoView(v)),
    _dropView: (name) => {
      const r = send('DELETE', `/_api/view/${enc(name)}`);
      if (r.code >= 400 && r.code !== 404) throw new ArangoError(r.parsedBody);
    },
    _createTransaction: unsupported('db._createTransaction() (stream transactions)'),
    _executeTransaction: unsupported('db._executeTransaction() (JavaScript transactions)'),
    _connection: arango,
    toString: () => `[object ArangoDatabase "${currentDb}"]`,
  };
  const db = new Proxy(dbTarget, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (typeof prop !== 'string') return undefined;
      return collection(prop) || undefined;
    },
  });

  // @arangodb/general-graph
  const graphPath = (g) => `/_api/gharial/${enc(g)}`;
  function makeGraph(info) {
    const g = { __graph: true, __name: info.name, __info: info };
    const edgeColls = new Set((info.edgeDefinitions || []).map((e) => e.collection));
    const vertexColls = new Set([...(info.orphanCollections || [])]);
    for (const e of info.edgeDefinitions || []) for (const c of [...e.from, ...e.to]) vertexColls.add(c);
    for (const c of vertexColls) {
      g[c] = Object.assign(Object.create(collection(c) || new ArangoCollection(c)), {
        save: (doc, opts) => api('POST', `${graphPath(info.name)}/vertex/${enc(c)}${query(opts)}`, doc).vertex,
        insert: (doc, opts) => api('POST', `${graphPath(info.name)}/vertex/${enc(c)}${query(opts)}`, doc).vertex,
        remove: (h, opts) => api('DELETE', `${graphPath(info.name)}/vertex/${enc(c)}/${enc(String(h).split('/').pop())}${query(opts)}`),
      });
    }
    for (const c of edgeColls) {
      const save = (from, to, data, opts) => {
        let doc = data;
        if (typeof from === 'object') doc = from;
        else doc = Object.assign({}, data || {}, { _from: from, _to: to });
        return api('POST', `${graphPath(info.name)}/edge/${enc(c)}${query(opts)}`, doc).edge;
      };
      g[c] = Object.assign(Object.create(collection(c) || new ArangoCollection(c)), { save, insert: save });
    }
    g._addVertexCollection = (name) => {
      api('POST', `${graphPath(info.name)}/vertex`, { collection: name });
    };
    g._removeVertexCollection = (name, drop) => {
      api('DELETE', `${graphPath(info.name)}/vertex/${enc(name)}${query({ dropCollection: drop })}`);
    };
    g._extendEdgeDefinitions = (def) => {
      api('POST', `${graphPath(info.name)}/edge`, def);
    };
    g._editEdgeDefinitions = (def) => {
      api('PUT', `${graphPath(info.name)}/edge/${enc(def.collection)}`, def);
    };
    g._deleteEdgeDefinition = (name, drop) => {
      api('DELETE', `${graphPath(info.name)}/edge/${enc(name)}${query({ dropCollections: drop })}`);
    };
    g._edgeCollections = () => [...edgeColls].map(collection);
    g._vertexCollections = () => [...vertexColls].map(collection);
    g._orphanCollections = () => info.orphanCollections;
    return g;
  }
  const graphModule = {
    _relation: (collection, from, to) => ({
      collection,
      from: Array.isArray(from) ? from : [from],
      to: Array.isArray(to) ? to : [to],
    }),
    _edgeDefinitions: (...defs) => defs,
    _extendEdgeDefinitions: (defs, ...more) => {
      defs.push(...more);
    },
    _create: (name, edgeDefinitions, orphanCollections, options) => {
      const body = { name, edgeDefinitions: edgeDefinitions || [], orphanCollections: orphanCollections || [] };
      if (options) {
        const o = Object.assign({}, options);
        for (const k of ['isSmart', 'isDisjoint', 'isSatellite']) {
          if (k in o) {
            body[k] = o[k];
            delete o[k];
          }
        }
        if (o.replicationFactor === 'satellite') {
          body.isSatellite = true;
        }
        if (Object.keys(o).length) body.options = o;
      }
      return makeGraph(api('POST', '/_api/gharial', body).graph);
    },
    _graph: (name) => makeGraph(api('GET', graphPath(name)).graph),
    _exists: (name) => send('GET', graphPath(name)).code === 200,
    _list: () => api('GET', '/_api/gharial').graphs.map((g) => g._key),
    _listObjects: () => api('GET', '/_api/gharial').graphs,
    _drop: (name, dropCollections) => {
      api('DELETE', graphPath(name) + (dropCollections ? '?dropCollections=true' : ''));
    },
  };

  // @arangodb/graph-examples/example-graph.js: the documented example graphs.
  const exampleGraphs = {
    knows_graph() {
      const g = graphModule._create('knows_graph', [graphModule._relation('knows', 'persons', 'persons')]);
      const ids = {};
      for (const [key, name] of [['alice', 'Alice'], ['bob', 'Bob'], ['charlie', 'Charlie'], ['dave', 'Dave'], ['eve', 'Eve']]) ids[key] = g.persons.save({ name, _key: key })._id;
      for (const [a, b] of [['alice', 'bob'], ['bob', 'charlie'], ['bob', 'dave'], ['eve', 'alice'], ['eve', 'bob']]) g.knows.save(ids[a], ids[b], {});
      return g;
    },
    social() {
      const g = graphModule._create('social', [graphModule._relation('relation', ['female', 'male'], ['female', 'male'])]);
      const v = {};
      for (const [coll, key, name] of [['female', 'alice', 'Alice'], ['male', 'bob', 'Bob'], ['male', 'charly', 'Charly'], ['female', 'diana', 'Diana']]) v[key] = g[coll].save({ name, _key: key });
      for (const [a, b, type] of [['alice', 'bob', 'married'], ['alice', 'charly', 'friend'], ['charly', 'diana', 'married'], ['bob', 'diana', 'friend']]) {
        g.relation.save(v[a]._id, v[b]._id, { type, vertex: a });
      }
      return g;
    },
    routeplanner() {
      const rel = graphModule._relation;
      const g = graphModule._create('routeplanner', [
        rel('germanHighway', ['germanCity'], ['germanCity']),
        rel('frenchHighway', ['frenchCity'], ['frenchCity']),
        rel('internationalHighway', ['frenchCity', 'germanCity'], ['frenchCity', 'germanCity']),
      ]);
      const city = {};
      for (const [coll, key, population, isCapital, loc] of [
        ['germanCity', 'Berlin', 3000000, true, [52.5167, 13.3833]],
        ['germanCity', 'Cologne', 1000000, false, [50.9364, 6.9528]],
        ['germanCity', 'Hamburg', 1000000, false, [53.5653, 10.0014]],
        ['frenchCity', 'Lyon', 80000, false, [45.76, 4.84]],
        ['frenchCity', 'Paris', 4000000, true, [48.8567, 2.3508]],
      ]) city[key] = g[coll].save({ _key: key, population, isCapital, loc })._id;
      g.germanCity.ensureGeoIndex('loc');
      g.frenchCity.ensureGeoIndex('loc');
      for (const [coll, a, b, distance] of [
        ['germanHighway', 'Berlin', 'Cologne', 850],
        ['germanHighway', 'Berlin', 'Hamburg', 400],
        ['germanHighway', 'Hamburg', 'Cologne', 500],
        ['frenchHighway', 'Paris', 'Lyon', 550],
        ['internationalHighway', 'Berlin', 'Lyon', 1100],
        ['internationalHighway', 'Berlin', 'Paris', 1200],
        ['internationalHighway', 'Hamburg', 'Paris', 900],
        ['internationalHighway', 'Hamburg', 'Lyon', 1300],
        ['internationalHighway', 'Cologne', 'Lyon', 700],
        ['internationalHighway', 'Cologne', 'Paris', 550],
      ]) g[coll].save(city[a], city[b], { distance });
      return g;
    },
  };
  const graphExamples = {
    loadGraph: (name) => {
      if (!exampleGraphs[name]) throw new ShimUnsupported(`shim does not build example graph ${name}`);
      return exampleGraphs[name]();
    },
    dropGraph: (name) => {
      if (graphModule._exists(name)) graphModule._drop(name, true);
    },
  };

  // @arangodb/analyzers
  const analyzerObject = (info) => ({
    name: () => info.name,
    type: () => info.type,
    properties: () => info.properties,
    features: () => info.features,
    toString: () => `[ArangoAnalyzer "${info.name}" (type ${info.type})]`,
    __info: info,
  });
  const analyzers = {
    save: (name, type, properties, features) => {
      const body = { name, type };
      if (properties !== undefined) body.properties = properties;
      if (features !== undefined) body.features = features;
      return analyzerObject(stripEnvelope(api('POST', '/_api/analyzer', body)));
    },
    analyzer: (name) => {
      const r = send('GET', `/_api/analyzer/${enc(name)}`);
      if (r.code === 404) return null;
      return analyzerObject(stripEnvelope(r.parsedBody));
    },
    remove: (name, force) => api('DELETE', `/_api/analyzer/${enc(name)}${force ? '?force=true' : ''}`),
    toArray: () => api('GET', '/_api/analyzer').result.map(analyzerObject),
  };

  // @arangodb/users
  const users = {
    save: (user, passwd, active, extra) => {
      const body = { user };
      if (passwd !== undefined) body.passwd = passwd;
      if (active !== undefined) body.active = active;
      if (extra !== undefined) body.extra = extra;
      return stripEnvelope(api('POST', '/_api/user', body));
    },
    document: (user) => stripEnvelope(api('GET', `/_api/user/${enc(user)}`)),
    exists: (user) => send('GET', `/_api/user/${enc(user)}`).code === 200,
    remove: (user) => {
      api('DELETE', `/_api/user/${enc(user)}`);
    },
    update: (user, passwd, active, extra) => stripEnvelope(api('PATCH', `/_api/user/${enc(user)}`, Object.fromEntries(Object.entries({ passwd, active, extra }).filter(([, v]) => v !== undefined)))),
    replace: (user, passwd, active, extra) => stripEnvelope(api('PUT', `/_api/user/${enc(user)}`, Object.fromEntries(Object.entries({ passwd, active, extra }).filter(([, v]) => v !== undefined)))),
    grantDatabase: (user, database, grant) => {
      api('PUT', `/_api/user/${enc(user)}/database/${enc(database)}`, { grant: grant || 'rw' });
    },
    revokeDatabase: (user, database) => {
      api('DELETE', `/_api/user/${enc(user)}/database/${enc(database)}`);
    },
    grantCollection: (user, database, coll, grant) => {
      api('PUT', `/_api/user/${enc(user)}/database/${enc(database)}/${enc(coll)}`, { grant: grant || 'rw' });
    },
    revokeCollection: (user, database, coll) => {
      api('DELETE', `/_api/user/${enc(user)}/database/${enc(database)}/${enc(coll)}`);
    },
    permission: (user, database, coll) => api('GET', `/_api/user/${enc(user)}/database/${enc(database)}${coll ? '/' + enc(coll) : ''}`).result,
    all: () => api('GET', '/_api/user').result,
    reload: () => {},
  };

  const arangodb = { db, ArangoError, errors: {}, print: (...a) => record.print(a), time: () => Date.now() / 1000 };
  const internal = {
    db,
    arango,
    print: arangodb.print,
    sleep: () => {},
    wait: () => {},
    time: arangodb.time,
    ArangoError,
    wal: { flush: () => {} },
  };

  function requireModule(name) {
    switch (name) {
      case '@arangodb':
      case 'org/arangodb':
        return arangodb;
      case 'internal':
        return internal;
      case '@arangodb/general-graph':
      case '@arangodb/smart-graph':
      case '@arangodb/enterprise-graph':
      case '@arangodb/satellite-graph':
        return graphModule;
      case '@arangodb/graph-examples/example-graph':
      case '@arangodb/graph-examples/example-graph.js':
        return graphExamples;
      case '@arangodb/analyzers':
        return analyzers;
      case '@arangodb/users':
        return users;
      case 'jsunity':
        return { jsUnity: { assertions: { assertEqual, assertTrue: (c) => assert(c), assertFalse: (c) => assert(!c) } } };
      default:
        throw new ShimUnsupported(`shim does not provide require("${name}")`);
    }
  }

  function logCurl(method, url, body, headers) {
    const r = send(method, url, body === '' ? undefined : body, headers);
    record.request(method, url, body, r);
    return r;
  }
  const logResponse = (r) => record.response(r);

  const assert = (cond, msg) => {
    if (!cond) throw new Error(`assert failed${msg ? ': ' + msg : ''}`);
  };
  const assertEqual = (a, b) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`assertEqual failed: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  };

  return {
    db,
    arango,
    require: requireModule,
    logCurlRequest: logCurl,
    logCurlRequestRaw: logCurl,
    curlRequest: (m, u, b, h) => send(m, u, b === '' ? undefined : b, h),
    curlRequestRaw: (m, u, b, h) => send(m, u, b === '' ? undefined : b, h),
    logJsonResponse: logResponse,
    logRawResponse: logResponse,
    logPlainResponse: logResponse,
    logHtmlResponse: logResponse,
    logJsonLResponse: logResponse,
    assert,
    assertEqual,
    assertTrue: (c) => assert(c),
    assertFalse: (c) => assert(!c),
    print: arangodb.print,
    addIgnoreCollection: () => {},
    removeIgnoreCollection: () => {},
    addIgnoreView: () => {},
    removeIgnoreView: () => {},
    addIgnoreAnalyzer: () => {},
    removeIgnoreAnalyzer: () => {},
    addIgnoreGraph: () => {},
    removeIgnoreGraph: () => {},
    sleep: () => {},
    SLEEP: () => {},
    ArangoError,
    internal,
    console: { log: (...a) => record.print(a), error: (...a) => record.print(a), warn: () => {} },
  };
}

// What arangosh's collection.properties() shows of the answer, and what it sends.
const SHOWN_PROPERTIES = [
  'globallyUniqueId', 'isSmart', 'isSystem', 'waitForSync', 'shardKeys', 'smartGraphAttribute', 'smartJoinAttribute',
  'numberOfShards', 'keyOptions', 'replicationFactor', 'minReplicationFactor', 'writeConcern', 'distributeShardsLike',
  'shardingStrategy', 'cacheEnabled', 'computedValues', 'syncByRevision', 'schema', 'isDisjoint', 'groupId', 'supportsRBAC',
];
const WRITABLE_PROPERTIES = ['waitForSync', 'replicationFactor', 'minReplicationFactor', 'writeConcern', 'cacheEnabled', 'computedValues', 'schema'];

/** The answer without `error`, as arangosh returns index descriptions. */
function withoutError(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out = Object.assign({}, body);
  delete out.error;
  return out;
}

/** Drops the ArangoDB answer envelope attributes arangosh strips from objects it returns. */
function stripEnvelope(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out = Object.assign({}, body);
  delete out.error;
  delete out.code;
  return out;
}

module.exports = { makeShim, ArangoError, ShimUnsupported };
