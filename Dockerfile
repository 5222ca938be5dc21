# refeed in a container: `refeed run` (fetch on schedule, publish, serve on
# :8080) as an unprivileged user, configuration and data in volumes.
#
#   docker build -t refeed .
#   docker run -d --name refeed -p 8080:8080 \
#     -v refeed-config:/etc/refeed -v refeed-data:/var/lib/refeed refeed
#
# /etc/refeed/refeed.yaml starts as deploy/refeed.yaml (an empty named volume
# is filled from the image); edit it there, then `docker kill -s HUP refeed`.

# Build: `npm ci` runs the `prepare` script, which compiles src/ to dist/ with
# the dev dependencies (TypeScript); then they are pruned away. Native modules
# (better-sqlite3) are built or fetched here, with the tools to build them.
FROM node:20-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

# Run: only what the compiled CLI needs.
FROM node:20-slim
ENV NODE_ENV=production \
    REFEED_CONFIG=/etc/refeed/refeed.yaml
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY LICENSE README.md ./
COPY deploy/refeed.yaml /etc/refeed/refeed.yaml
RUN mkdir -p /var/lib/refeed && chown -R node:node /etc/refeed /var/lib/refeed
USER node
VOLUME ["/etc/refeed", "/var/lib/refeed"]
EXPOSE 8080
# /healthz answers 200 while the daemon runs (a failing source is reported in
# it, not a reason to restart the container).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/refeed.js", "run", "--host", "0.0.0.0", "--port", "8080"]
