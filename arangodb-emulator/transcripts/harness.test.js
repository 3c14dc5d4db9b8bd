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

test('shard and server ids are masked, their number is not', () => {
  const recorded = {
    shards: { s8010046: ['PRMR-85cea042-59e3-4fa6-ba85-f1cef2e7f4c7'], s8010047: ['PRMR-8081ad8c-c762-4bbc-90dc-418a6673afce'] },
    list: ['s8010039', 's8010040'],
    shardId: 's8010034',
    id: '148',
  };
  const emulated = {
    shards: { s10028: ['PRMR-00000000-59e3-4fa6-ba85-f1cef2e7f4c7'], s10029: ['PRMR-11111111-c762-4bbc-90dc-418a6673afce'] },
    list: ['s10028', 's10029'],
    shardId: 's10030',
    id: '75226',
  };
  assert.strictEqual(diff(mask(recorded), mask(emulated)), null);
  const fewer = { ...emulated, shards: { s10028: emulated.shards.s10028 } };
  assert.match(diff(mask(recorded), mask(fewer)), /\$\.shards: missing/);
  assert.match(diff(mask(recorded), mask({ ...emulated, list: ['s10028'] })), /expected 2 elements, got 1/);
  // a shard id is not any string starting with s, and only numeric `id`s are masked
  assert.notStrictEqual(diff(mask({ name: 'sales' }), mask({ name: 's10028' })), null);
  assert.notStrictEqual(diff(mask({ id: 'products/0' }), mask({ id: 'products/1' })), null);
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
