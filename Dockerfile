# syntax=docker/dockerfile:1
# The reliability sidecar (SPEC §6): `docker build -t fastify-reliability .`, then
#   docker run -p 9000:9000 -e RELIABILITY_TARGET=http://app:3000 fastify-reliability
# Settings come from `RELIABILITY_*` variables or flags after the image name (`--help` lists them).
# Without a target the sidecar starts its bundled demo app, which needs devDependencies (`ws`):
# in this image always set RELIABILITY_TARGET.

# Node 26, the Active LTS line: it entered LTS on 2026-10-28 and stays Active until 2027-10-20, with
# security fixes until 2029-04-30 (nodejs/Release schedule.json). Node 24 has been in Maintenance
# since 2026-10-20 and Node 20 reached its end of life on 2026-04-30. The major tag follows the
# line's security releases; pin the digest too for reproducible builds, and move it deliberately:
#   ARG NODE_IMAGE=node:26-bookworm-slim@sha256:<digest>
# engines.node admits it (package.json); .ci/run runs the whole suite on this line and on the floor.
ARG NODE_IMAGE=node:26-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, in their own layer, so a source change does not reinstall them.
# --ignore-scripts: `prepare` (the build) would run before the sources are copied.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY schemas ./schemas
COPY plugin ./plugin
COPY sidecar ./sidecar
COPY examples ./examples
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="fastify-reliability" \
      org.opencontainers.image.description="Reliability sidecar: polls a neighbouring app's health, metrics and websocket admin endpoints and serves one report, /health, /livez, /readyz and /metrics" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/example/fastify-reliability" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only. --ignore-scripts: `prepare` would run tsc, which is a devDependency.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# Files stay owned by root and only readable by the process: it cannot rewrite its own code, and it
# runs under Kubernetes' readOnlyRootFilesystem (deploy/kubernetes/pod-with-sidecar.yaml).
# 1000 is the image's `node` user, written as a number so that Kubernetes' runAsNonRoot can check it
# (a user name makes the kubelet refuse the pod: "image has non-numeric user").
USER 1000:1000
EXPOSE 9000
# The sidecar's own liveness, never the app's: Docker must not restart the sidecar because the app
# is down. Node itself makes the request (slim images have no curl or wget); it follows
# RELIABILITY_PORT and assumes the sidecar listens on all addresses or on loopback (the default
# host is 0.0.0.0). A port given as a flag after the image name is not seen here: use the variable.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.RELIABILITY_PORT || 9000) + '/livez', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The sidecar handles SIGTERM itself (readiness fails, polling stops, in-flight requests finish,
# exit 0 within --grace-period-ms, default 10 s), so node runs as PID 1 without an init; keep
# `docker stop -t` above the grace period (Docker's default is 10 s: use -t 15 or more).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/sidecar/bin.js"]
