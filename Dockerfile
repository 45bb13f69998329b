# syntax=docker/dockerfile:1
# sluice image. TypeScript runs directly on Node 24 (type stripping): there is no compile step,
# so the build stage only installs production dependencies.
#   docker build -t sluice:0.1.0 .
# Pin both base images by digest in CI (e.g. with Renovate) for reproducible builds.

# Build stage: npm and a shell, to install production dependencies from the lockfile.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: no TypeScript, test tools or the `node` devDependency in the image.
# --ignore-scripts: no production dependency needs an install script.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# Runtime stage: distroless Node 24 (no shell, no package manager), non-root user 65532.
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
# Files stay owned by root and read-only to the process: nothing under /app is ever written,
# so the pod can run with readOnlyRootFilesystem (only /tmp needs a writable mount).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
# Numeric, so Kubernetes can verify runAsNonRoot.
USER 65532:65532
# Defaults: HTTP, HTTPS, admin (/healthz, /metrics). The Kubernetes manifests move the first two
# to 8080/8443 so the container needs no capability.
EXPOSE 80 443 10254
# sluice drains on SIGTERM for --shutdown-grace-period, then exits 0.
STOPSIGNAL SIGTERM
# `node /app/bin/sluice.js`; the distroless image keeps node at /nodejs/bin/node.
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/sluice.js"]
