#!/usr/bin/env node
/*
 * Plain-node driver of one built Lambda bundle (no jest, no TypeScript): `node drive-bundle.js
 * REQUEST.json RESULT.json`. It mocks the AWS SDK clients with aws-sdk-client-mock, requires the
 * bundle the way the Lambda runtime does (CommonJS, the SDK found through NODE_PATH), invokes the
 * handler with each event in turn and writes what happened: the load error or each invocation's
 * result or error (with the error's name as the bundle left it) and every SDK command received.
 *
 * REQUEST: { bundle, mocks: [{ module, client, command, resolves? | rejects?: { name, message } }], events: [..] }
 * A `resolves` value `{ "$stream": "text" }` anywhere becomes what the SDK's stream mixin offers
 * (`transformToString`), as S3 GetObject's Body.
 * A spec with `state: { store, key, field, op: 'set' | 'get' }` keeps what a write sends, as the
 * service does: `set` records `input[field]` under `input[key]`, `get` answers `{ [key], [field] }`
 * from the record, or `rejects` when nothing was written (SetRepositoryPolicy, then GetRepositoryPolicy).
 */
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { mockClient } = require('aws-sdk-client-mock');

const [requestFile, resultFile] = process.argv.slice(2);
const request = JSON.parse(readFileSync(requestFile, 'utf8'));

function revive(value) {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') {
    if (typeof value.$stream === 'string') {
      const text = value.$stream;
      return { transformToString: async () => text };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

function sdkError(spec) {
  const err = new Error(spec.message || spec.name);
  err.name = spec.name;
  err.$metadata = { httpStatusCode: spec.httpStatusCode || 400 };
  return err;
}

// One mock per client class; clients the request does not name are mocked too when listed with no command.
const mocks = new Map();
const stores = new Map();
for (const spec of request.mocks) {
  const mod = require(spec.module);
  const key = `${spec.module}#${spec.client}`;
  if (!mocks.has(key)) mocks.set(key, { client: spec.client, mock: mockClient(mod[spec.client]) });
  if (!spec.command) continue;
  const behaviour = spec.input ? mocks.get(key).mock.on(mod[spec.command], spec.input) : mocks.get(key).mock.on(mod[spec.command]);
  if (spec.state) {
    const { store, key, field, op } = spec.state;
    const records = stores.get(store) ?? new Map();
    stores.set(store, records);
    behaviour.callsFake((input) => {
      if (op === 'set') {
        records.set(input[key], input[field]);
        return { ...revive(spec.resolves ?? {}), [key]: input[key], [field]: input[field] };
      }
      if (!records.has(input[key])) throw sdkError(spec.rejects || { name: 'NotFound' });
      return { ...revive(spec.resolves ?? {}), [key]: input[key], [field]: records.get(input[key]) };
    });
  } else if (spec.rejects) behaviour.rejects(sdkError(spec.rejects));
  else behaviour.callsFake(() => revive(spec.resolves ?? {}));
}

const describe = (err) => ({
  name: err && err.name,
  constructorName: err && err.constructor && err.constructor.name,
  message: err && String(err.message),
});

function context(index) {
  return {
    functionName: 'ptc-truth',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:111122223333:function:ptc-truth`,
    memoryLimitInMB: '256',
    awsRequestId: `00000000-0000-4000-8000-00000000000${index}`,
    logGroupName: '/aws/lambda/ptc-truth',
    logStreamName: 'truth',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60000,
  };
}

async function main() {
  const out = { results: [], calls: [] };
  let handler;
  try {
    handler = require(request.bundle).handler;
    if (typeof handler !== 'function')
      out.loadError = { name: 'NoHandler', constructorName: '', message: `${request.bundle} exports no handler function` };
  } catch (err) {
    out.loadError = describe(err);
  }
  if (typeof handler === 'function') {
    for (const [index, event] of request.events.entries()) {
      try {
        out.results.push({ ok: (await handler(event, context(index))) ?? null });
      } catch (err) {
        out.results.push({ error: describe(err) });
      }
    }
  }
  for (const { client, mock } of mocks.values()) {
    for (const call of mock.calls()) out.calls.push({ client, command: call.args[0].constructor.name, input: call.args[0].input });
  }
  writeFileSync(resultFile, JSON.stringify(out));
}

main();
