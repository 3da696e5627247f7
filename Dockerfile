# syntax=docker/dockerfile:1
#
# indicator-service image: `docker build -t indicator-service .`, run with `docker compose up`.
# Two stages so the runtime image carries neither the TypeScript toolchain nor the test
# dependencies (testcontainers, vitest, ...): only dist/ and the production node_modules.
#
# Node 24 is an LTS line; `-slim` is Debian without compilers and docs (a fraction of the full
# image's size), enough since no production dependency builds native code. The same major runs
# in CI (test/deploy/node24.test.ts starts dist/main.js under npm's node@24 binary). For fully
# reproducible builds pin a digest as well: node:24-slim@sha256:...

# ---- build: all dependencies, tsc -> dist/ -------------------------------------------------------
FROM node:24-slim AS build
WORKDIR /app
# Manifests first: the dependency layer is rebuilt only when they change, not on every source edit.
COPY package.json package-lock.json ./
# --ignore-scripts: tsc needs no install script; it skips the native builds of test-only
# dependencies (ssh2/cpu-features under testcontainers) and any lifecycle script of the project.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web console: bundled by scripts/build-console.ts into dist/console, served by the service.
COPY console ./console
COPY scripts/build-console.ts ./scripts/
RUN npm run build

# ---- runtime: production dependencies + dist/ ----------------------------------------------------
FROM node:24-slim AS runtime
# NODE_ENV=production: libraries take their production paths; the service logs JSON (pino-pretty
# is a dev dependency and is not installed here). PORT is the service's default, stated for operators.
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: no toolchain or test dependencies in the image. --ignore-scripts: no production
# dependency has an install script (none is marked hasInstallScript in package-lock.json), and it
# keeps npm from running any of the project's own lifecycle scripts here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force
# dist/ comes from the build stage; the service reads ../package.json (its version) next to it.
COPY --from=build /app/dist ./dist
# Files stay owned by root and read-only to the process; it runs as the unprivileged `node` user
# (uid 1000) that the official image provides.
USER node
EXPOSE 8080
# Liveness only (/health/live never looks at Redis): the slim image has no curl or wget, and adding
# them would grow the image and its attack surface, so Node's own fetch does the probe. Exit 0 on a
# 2xx answer, 1 on anything else, a refused connection or a 2 s timeout.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 8080}/health/live`, { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (the service drains on it); no shell between.
CMD ["node", "dist/main.js"]
