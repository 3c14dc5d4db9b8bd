// Self-tests of the replay harness's reading and comparing (node --test).
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { mask, diff } = require('./compare');
const { parsePrintout, render } = require('./printout');

test('masking hides what varies between runs and nothing else', () => {
  const recorded = {
    _id: 'products/70706',
    _key: '70706',
    _rev: '_l6zhVMa--_',
    name: 'idx_1872607108457824256',
    globallyUniqueId: 'h5C3DDE5391BF/70137',
    identifiers: { 'products/73870': { id: 'products/73870' } },
    errorMessage: "conflicting key: 90567",
    type: 'persistent',
    count: 5,
  };
  const emulated = {
    _id: 'products/10019',
    _key: '10019',
    _rev: '_mghmLGy---',
    name: 'idx_1901234567890123456',
    globallyUniqueId: 'hABCDEF012345/10019',
    identifiers: { 'products/10022': { id: 'products/10022' } },
    errorMessage: "conflicting key: 10020",
    type: 'persistent',
    count: 5,
  };
  assert.strictEqual(diff(mask(recorded), mask(emulated)), null);
  assert.match(diff(mask(recorded), mask({ ...emulated, count: 4 })), /\$\.count: expected 5, got 4/);
  assert.match(diff(mask(recorded), mask({ ...emulated, type: 'hash' })), /\$\.type/);
  // error numbers in printed errors stay visible
  assert.notStrictEqual(diff(mask('[ArangoError 1210: x]'), mask('[ArangoError 1200: x]')), null);
});

test('objects compare without key order, arrays with order', () => {
  assert.strictEqual(diff({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }), null);
  assert.match(diff({ b: [1, 2] }, { b: [2, 1] }), /\$\.b\[0\]/);
  assert.match(diff({ a: 1 }, { a: 1, extra: true }), /unexpected extra=true/);
  assert.match(diff({ a: 1, gone: 2 }, { a: 1 }), /missing gone=2/);
});

test('arangosh printouts read as a sequence of values', () => {
  const output = [
    '{ ',
    '  "fields" : [ ',
    '    "a" ',
    '  ], ',
    '  "code" : 201 ',
    '}',
    '[ ',
    '  "example/0" ',
    ']',
    '',
    '[ArangoCollection 76351, "example" (type document, status deleted)]',
    'true',
    '{[GeneralGraph] ',
    '  "rel" : [ArangoCollection 85217, "rel" (type edge, status loaded)] ',
    '}',
    '',
    'Query String (1 chars):',
    ' x',
  ].join('\n');
  const { blocks } = parsePrintout(output);
  assert.deepStrictEqual(blocks.slice(0, 5), [
    { fields: ['a'], code: 201 },
    ['example/0'],
    '[ArangoCollection 76351, "example" (type document, status deleted)]',
    true,
    { '[GeneralGraph]': true, rel: '[ArangoCollection 85217, "rel" (type edge, status loaded)]' },
  ]);
  assert.deepStrictEqual(blocks[5], { text: 'Query String (1 chars):\n x' });
});

test('shim values render like arangosh prints them', () => {
  class Handle {
    toString() {
      return '[ArangoCollection 1, "c" (type document, status loaded)]';
    }
  }
  assert.deepStrictEqual(render({ a: [new Handle()], f: () => 1 }), { a: ['[ArangoCollection 1, "c" (type document, status loaded)]'] });
  assert.strictEqual(render({ __error: { errorNum: 1203, errorMessage: 'collection or view not found: x' } }), '[ArangoError 1203: collection or view not found: x]');
});
