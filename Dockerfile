# syntax=docker/dockerfile:1
# Multi-stage build: build the web UI and server in one image, run as the unprivileged `node` user
# in a slim one with production dependencies only (better-sqlite3 ships its native addon prebuilt).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:24-bookworm-slim AS runtime
# jemalloc instead of glibc's malloc: under load glibc keeps what the portal's native parts (SQLite,
# OpenSSL, the HTTP parser) have freed, and the process stays 25 to 55 MiB larger for good
# (bench/README.md, memory). One arena and no thread caches: nearly every allocation comes from the
# one JavaScript thread.
RUN apt-get update && apt-get install -y --no-install-recommends libjemalloc2 \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s "$(find /usr/lib -name libjemalloc.so.2 | head -n 1)" /usr/local/lib/libjemalloc.so.2
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 \
    MALLOC_CONF=background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:1,tcache:false
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/bin ./bin
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations apply on start (MIGRATE_ON_START=true); several replicas may start at once.
# As `npm start`: V8 sizes the young generation from the machine's memory (up to 128 MiB on a
# 24 GiB host), which the portal's short-lived request objects never need, and without
# --optimize-for-size lets the old generation grow to several times the live heap before a full
# collection, pages it keeps afterwards (bench/README.md, memory).
CMD ["node", "--max-semi-space-size=8", "--optimize-for-size", "dist/server/src/server.js"]
