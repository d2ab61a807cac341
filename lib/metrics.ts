import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's Prometheus metrics, in a registry per process (tests make their own). */
export class Metrics {
  readonly registry = new Registry();
  readonly builds = new Counter({
    name: 'kpython_builds_total',
    help: 'Finished builds by final state',
    labelNames: ['state', 'code'] as const,
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'kpython_build_requests_total',
    help: 'Build requests by outcome (cached, queued, joined)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'kpython_build_duration_seconds',
    help: 'Wall time of builds run by this process',
    labelNames: ['state'] as const,
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800],
    registers: [this.registry],
  });
  readonly containers = new Counter({
    name: 'kpython_containers_started_total',
    help: 'Build containers started by this process',
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'kpython_queue_jobs',
    help: 'Jobs in the build queue by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  /** the prebuild watcher's view: 1 per release and the state of its current build */
  readonly prebuild = new Gauge({
    name: 'kpython_prebuild_release',
    help: 'Releases of the prebuild suites by the state of their current build (1 = in that state)',
    labelNames: ['release', 'state'] as const,
    registers: [this.registry],
  });

  readonly unhandled = new Counter({
    name: 'kpython_unhandled_errors_total',
    help: 'Errors no handler awaited (logged; the process kept running)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(defaults = false) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }
}
