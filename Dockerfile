# syntax=docker/dockerfile:1
# breakwater: one image for every Node program in this repository (the services and the
# operator). The container's arguments choose the program:
#   args: ["services/run.ts", "<service>"]   one domain service (see charts/container-image.ts)
#   args: ["operators/main.ts"]              the control operator
# Build from the repository root: docker build -t ghcr.io/breakwater/breakwater:<release> .

# Node 24, the version the lockfile's `node` devDependency pins (a test keeps them equal).
# Release builds pin the digest too, resolved when the version is bumped:
#   docker buildx imagetools inspect docker.io/library/node:<version>-trixie-slim
#   --build-arg NODE_IMAGE=docker.io/library/node:<version>-trixie-slim@sha256:<digest>
ARG NODE_IMAGE=docker.io/library/node:24.21.0-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Exactly the lockfile's production dependencies (tsx among them: it runs the sources).
# No install scripts: nothing the programs load needs one (esbuild finds its binary in its
# platform package), and the test-only packages that have one are not used here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# Nothing below /app is writable by the program: the root filesystem can be read-only, and
# tsx's compile cache and anything else temporary go to /tmp (an emptyDir in the pods).
ENV NODE_ENV=production \
    HOME=/tmp
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY services ./services
COPY operators ./operators
# The restore rehearsal's CronJob runs `drills/main.ts restore-cluster`.
COPY drills ./drills
# The autopilot validates its rules with the rule schema and the environment names.
COPY policies/automation ./policies/automation
COPY environments/schema.ts ./environments/schema.ts
USER 65532:65532
# Node runs the program itself (not the tsx CLI, which would add a parent process between
# SIGTERM and the program's graceful shutdown).
ENTRYPOINT ["node", "--import", "tsx"]
# Without arguments the service runner lists the services it knows and exits 1.
CMD ["services/run.ts"]
