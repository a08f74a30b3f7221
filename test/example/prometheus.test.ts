import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startExampleProcess, type ExampleProcess } from '../support/example-process';
import { freePort } from '../support/free-port';

// The repository's own caps.yaml: every signed-in user holds read, which GET /menu needs.
const CAPS = readFileSync(join(__dirname, '..', '..', '..', 'caps.yaml'), 'utf8');

describe('the example app with OTEL_METRICS=prometheus', () => {
  let example: ExampleProcess;
  let metricsUrl: string;

  before(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    example = await startExampleProcess(CAPS, { OTEL_METRICS: 'prometheus', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1' });
  });
  after(() => example?.stop());

  it('serves the decisions of the guard for Prometheus to scrape after a guarded request', async () => {
    const client = example.client();
    assert.equal((await client.get('/menu')).status, 401);
    assert.equal((await client.signIn('ada@example.com')).status, 302);
    assert.equal((await client.get('/menu')).status, 200);
    const scrape = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
    assert.equal(scrape.status, 200);
    const text = await scrape.text();
    assert.match(text, /^# TYPE nest_capabilities_decisions_total counter$/m);
    assert.match(text, /^nest_capabilities_decisions_total\{[^}]*outcome="allow"[^}]*transport="http"[^}]*capability="read"[^}]*\} 1/m);
    assert.match(text, /^nest_capabilities_decisions_total\{[^}]*outcome="deny",code="SIGN_IN_REQUIRED"[^}]*\} 1/m);
  });
});

describe('the example app with OTEL_METRICS set to something else', () => {
  it('refuses to start, naming the variable', async () => {
    await assert.rejects(startExampleProcess(CAPS, { OTEL_METRICS: 'statsd' }), /OTEL_METRICS must be prometheus or none, got "statsd"/);
  });
});
