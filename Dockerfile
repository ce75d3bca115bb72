# One image for the five services; SERVICE chooses which one a container runs:
#   docker build -t jss-recovery-services .
#   docker run -e SERVICE=rehydrator -e AMQP_URL=... -e REDIS_URL=... jss-recovery-services
# The CLI is in it too: docker run --rm jss-recovery-services node dist/apps/jssctl/main.js --help

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# no install scripts: nothing the build or the services use needs one
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    JSS_DATA_DIR=/data \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=9464
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# uid 1000 is the image's user "node"; numeric, so that Kubernetes can check runAsNonRoot
RUN mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.HTTP_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec: node is PID 1 and gets SIGTERM itself, to drain its consumers before it exits
CMD ["sh", "-c", "exec node dist/apps/${SERVICE:?set SERVICE to planner, provisioner, rehydrator, janitor or scanner}/main.js"]
