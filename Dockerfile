# syntax=docker/dockerfile:1
# The UniCS gateway. Node 24 runs the TypeScript sources as they are (type stripping), so there is no compile step.
#   docker build -t unics .  &&  docker run --rm -p 127.0.0.1:4000:4000 unics    the embedded demo, no services
# docker-compose.yml builds this image and points it at Kafka, PostgreSQL, Redis and Kafka Connect.

ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies only, exactly as locked.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# Steps that need the dev dependencies: the agent console's bundle (console/dist), once `npm run build` exists.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY . .
RUN npm run build --if-present && mkdir -p console/dist

FROM ${NODE_IMAGE} AS runtime
# HOST: inside a container the gateway must listen on every interface, or the published port reaches nothing.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
# Code and dependencies stay owned by root: the gateway runs as the unprivileged `node` user and cannot alter them.
COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=build /app/console/dist ./console/dist
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# V8 heap sizing as `npm start` (docs/adr/0009): 16 MB semi-spaces, old generation grown to 2x what survived.
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=100", "app/main.ts"]
