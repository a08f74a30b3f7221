import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startExample, type RunningExample } from '../support/example-server';

describe('the example app\'s home page', () => {
  let example: RunningExample;

  before(async () => {
    example = await startExample();
  });
  after(() => example?.close());

  it('points a newcomer at the GraphQL endpoint and the WebSocket gateway, one line each', async () => {
    const reply = await example.client().get('/');
    assert.equal(reply.status, 200);
    assert.match(reply.text, /<li id="graphql">GraphQL: <code>POST \/graphql<\/code> with <code>query \{ menu \}<\/code> \(read\)[^<]*<code>mutation \{ bake\(food: "croissant"\) \}<\/code> \(bake\)[^\n]*<code>subscription \{ baked \}<\/code> \(read\)/);
    assert.match(reply.text, /<li id="websocket">WebSocket: socket\.io at <code>\/socket\.io\/<\/code>, messages <code>menu<\/code> \(read\), <code>bake<\/code> \(bake\) and <code>bakeAt<\/code>/);
  });

  it('links the routes that hold in one shop, and whoami at a shop', async () => {
    const reply = await example.client().get('/');
    for (const path of ['/shops/paris/menu', '/shops/paris/bake?food=croissant', '/shops/paris/ovens/2/fire', '/whoami?scope=shop:paris']) {
      assert.ok(reply.text.includes(`href="${path}"`), path);
    }
  });
});
