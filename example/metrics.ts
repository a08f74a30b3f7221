import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** An SDK the example registered for the module's metrics, and how to stop it. */
export interface ExampleMetrics {
  /** Where Prometheus scrapes, for the start-up log. */
  readonly endpoint: string;
  shutdown(): Promise<void>;
}

/**
 * `OTEL_METRICS=prometheus`: registers a MeterProvider whose reader serves the metrics for
 * Prometheus to scrape (`OTEL_EXPORTER_PROMETHEUS_PORT`, default 9464, and
 * `OTEL_EXPORTER_PROMETHEUS_HOST`). Done before the app is created, so that the module's
 * instruments are this provider's. Anything else but unset is refused by name.
 */
export async function metricsFromEnvironment(env: NodeJS.ProcessEnv): Promise<ExampleMetrics | undefined> {
  const wanted = env['OTEL_METRICS'] ?? '';
  if (wanted === '' || wanted === 'none') return undefined;
  if (wanted !== 'prometheus') throw new Error(`OTEL_METRICS must be prometheus or none, got "${wanted}"`);
  const portText = env['OTEL_EXPORTER_PROMETHEUS_PORT'] ?? '';
  const port = portText === '' ? PrometheusExporter.DEFAULT_OPTIONS.port : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`OTEL_EXPORTER_PROMETHEUS_PORT must be a port number, got "${portText}"`);
  const host = env['OTEL_EXPORTER_PROMETHEUS_HOST'] ?? '';
  const exporter = new PrometheusExporter({ port, ...(host === '' ? {} : { host }), preventServerStart: true });
  await exporter.startServer();
  const provider = new MeterProvider({ readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  return {
    endpoint: `http://${host === '' ? 'localhost' : host}:${port}${PrometheusExporter.DEFAULT_OPTIONS.endpoint}`,
    shutdown: async () => {
      await provider.shutdown();
      metrics.disable();
    },
  };
}
