import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPortalMetrics } from './portal-metrics.ts';

const DASHBOARD = new URL('../../../../ops/grafana/aws-mfa-portal-dashboard.json', import.meta.url);

describe('the Grafana dashboard', () => {
  it('queries only metrics the portal exports, and shows every portal metric', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:portal|process|nodejs)_\w+)/g)].map((m) => m[1]!)));
    const metrics = createPortalMetrics({ userLabels: false });
    const exported = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    const series = new Set(exported.flatMap((name) => [name, `${name}_bucket`, `${name}_sum`, `${name}_count`]));
    expect([...used].filter((name) => !series.has(name))).toEqual([]);
    const base = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
    const shown = new Set([...used].map(base));
    expect(exported.filter((name) => name.startsWith('portal_') && !shown.has(name))).toEqual([]);
  });
});
