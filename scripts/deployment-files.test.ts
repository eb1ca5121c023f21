import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHIPPED_MALLOC_CONF } from '../bench/lib/processes.ts';

/**
 * No Docker engine runs where the tests run, so the container files are checked for what they
 * must say: a healthchecked PostgreSQL with a named volume, a non-root portal built in stages,
 * that starts only once the database is healthy and ships what it needs at run time.
 */
const root = new URL('../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

interface ComposeService {
  profiles?: string[];
  ports?: string[];
  networks?: Record<string, { ipv4_address?: string }>;
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };

  it('runs PostgreSQL with a healthcheck and a named volume', () => {
    const postgres = compose.services.postgres!;
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    const [volume] = postgres.volumes![0]!.split(':');
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('builds the portal from the repository and starts it once PostgreSQL is healthy', () => {
    const portal = compose.services.portal!;
    expect(portal.build).toBe('.');
    expect(portal.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(portal.environment?.DATABASE_URL).toMatch(
      /^postgresql:\/\/portal:\$\{POSTGRES_PASSWORD\}@postgres:5432\/portal$/,
    );
    expect(portal.environment?.HOST).toBe('0.0.0.0');
    // Compose refuses to start without the master key rather than run a portal that cannot sign anyone in.
    expect(portal.environment?.PORTAL_MASTER_KEY).toMatch(/^\$\{PORTAL_MASTER_KEY:\?/);
    expect(portal.read_only).toBe(true);
  });
});

describe('docker-compose.yml scale-out profile', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, ComposeService>;
    networks?: { default?: { ipam?: { config?: Array<{ subnet: string }> } } };
  };
  const replicas = ['portal-1', 'portal-2'].map((name) => compose.services[name]!);
  const haproxy = compose.services.haproxy!;
  const haproxyConfig = read('deploy/haproxy/haproxy.cfg');

  it('runs two portal replicas on the one PostgreSQL with the same secrets, trusting only HAProxy', () => {
    const portal = compose.services.portal!;
    for (const replica of replicas) {
      expect(replica.profiles).toEqual(['scale-out']);
      expect(replica.build).toBe('.');
      expect(replica.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(replica.environment?.DATABASE_URL).toBe(portal.environment?.DATABASE_URL);
      expect(replica.environment?.PORTAL_MASTER_KEY).toBe(portal.environment?.PORTAL_MASTER_KEY);
      expect(replica.environment?.PUBLIC_URL).toMatch(/^\$\{PUBLIC_URL:\?/);
      expect(replica.environment?.TRUSTED_PROXIES).toBe(haproxy.networks?.default?.ipv4_address);
      expect(replica.read_only).toBe(true);
      expect(replica.ports).toBeUndefined();
    }
    expect(compose.networks?.default?.ipam?.config?.[0]?.subnet).toBe('172.28.0.0/24');
  });

  it('puts HAProxy in front with the configuration the scale-out suite runs', () => {
    expect(haproxy.profiles).toEqual(['scale-out']);
    expect(haproxy.image).toMatch(/^haproxy:\d/);
    expect(haproxy.volumes).toContain('./deploy/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    expect(haproxyConfig).toMatch(/^\s+bind :443 ssl crt \/etc\/haproxy\/certs\/portal\.pem$/m);
    expect(haproxyConfig).toMatch(/^\s+balance roundrobin$/m);
    expect(haproxyConfig).toMatch(/^\s+option httpchk GET \/readyz$/m);
    // No stickiness: any instance serves any session.
    expect(haproxyConfig).not.toMatch(/^\s*(cookie|stick|balance source)/m);
    const servers = [...haproxyConfig.matchAll(/^\s+server (\S+) (\S+):3000 check$/gm)].map((m) => m[2]);
    expect(servers).toEqual(['portal-1', 'portal-2']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in one stage and runs as a non-root user in another', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(runtime).toMatch(/^USER node$/m);
    // The image runs the portal exactly as `npm start` does, Node options included.
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(runtime).toMatch(/^CMD \[.*\]$/m);
    expect(JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]!)).toEqual(start.split(' '));
    expect(start).toMatch(/^node .*dist\/server\/src\/server\.js$/);
    expect(runtime).toContain('HEALTHCHECK');
  });

  it('runs the portal on jemalloc, with the settings the memory bench measures', () => {
    const preload = /LD_PRELOAD=(\S+)/.exec(runtime)?.[1];
    expect(preload).toBe('/usr/local/lib/libjemalloc.so.2');
    expect(runtime).toContain('apt-get install -y --no-install-recommends libjemalloc2');
    expect(runtime).toMatch(new RegExp(`ln -s .*libjemalloc\\.so\\.2.* ${preload!.replaceAll('.', '\\.')}$`, 'm'));
    expect(SHIPPED_MALLOC_CONF).toBe(/MALLOC_CONF=(\S+)/.exec(runtime)?.[1]);
    // jemalloc ignores what it does not know with a warning only; these are the 5.3 option names.
    for (const setting of SHIPPED_MALLOC_CONF.split(',')) {
      expect(setting).toMatch(/^(background_thread|dirty_decay_ms|muzzy_decay_ms|narenas|tcache):\w+$/);
    }
  });

  it('ships the migrations and the credential_process helper, and every path it copies exists', () => {
    expect(runtime).toContain('COPY --from=build /app/prisma ./prisma');
    expect(runtime).toContain('COPY --from=build /app/bin ./bin');
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      if (source !== '.') expect(existsSync(new URL(source!, root)), source).toBe(true);
    }
  });
});
