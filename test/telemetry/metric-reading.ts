import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';

/** A reader the test collects from when it wants: no timer, no exporter. */
class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** One data point of a metric: its attributes and value. */
export interface Point {
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly value: number;
}

/**
 * An SDK registered as the global meter provider, as an application registers one
 * before creating its app; `points(name)` collects and gives that metric's data points.
 */
export class MetricsUnderTest {
  private readonly reader = new CollectingReader();
  private readonly provider = new MeterProvider({ readers: [this.reader] });

  constructor() {
    if (!metrics.setGlobalMeterProvider(this.provider)) throw new Error('a global meter provider was registered already');
  }

  async points(name: string): Promise<Point[]> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) throw errors[0] as Error;
    const found = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).filter((metric) => metric.descriptor.name === name);
    return found.flatMap((metric) => (metric.dataPoints as DataPoint<number>[]).map((point) => ({ attributes: point.attributes, value: point.value })));
  }

  /** The value of the point with exactly `attributes`, 0 when there is none. */
  async valueOf(name: string, attributes: Readonly<Record<string, unknown>>): Promise<number> {
    const wanted = JSON.stringify(Object.entries(attributes).sort());
    const point = (await this.points(name)).find((candidate) => JSON.stringify(Object.entries(candidate.attributes).sort()) === wanted);
    return point?.value ?? 0;
  }

  async close(): Promise<void> {
    await this.provider.shutdown();
    metrics.disable();
  }
}
