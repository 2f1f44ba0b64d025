# Mouthguard relay image. Build: docker build -t mouthguard .
# Run:  docker run -v mg-data:/var/lib/mouthguard -v ./mouthguard.yaml:/etc/mouthguard/mouthguard.yaml:ro \
#         -p 587:587 mouthguard
FROM node:20-bookworm-slim AS build
# better-sqlite3 is a native addon: toolchain for building it when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci applies patches/ to node_modules (postinstall: scripts/postinstall.js; README, Dependencies).
COPY patches ./patches
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    MOUTHGUARD_CONFIG=/etc/mouthguard/mouthguard.yaml \
    MOUTHGUARD_DATA_DIR=/var/lib/mouthguard
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json mouthguard.example.yaml ./
RUN useradd --system --home-dir /var/lib/mouthguard --shell /usr/sbin/nologin mouthguard \
 && mkdir -p /var/lib/mouthguard /etc/mouthguard \
 && chown mouthguard:mouthguard /var/lib/mouthguard
USER mouthguard
VOLUME ["/var/lib/mouthguard"]
# Submission (STARTTLS), implicit TLS, admin (bind admin.host 0.0.0.0 in the config to scrape from outside).
EXPOSE 587 465 8025
HEALTHCHECK --interval=30s --timeout=5s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MOUTHGUARD_ADMIN_PORT||8025)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM drains SMTP transactions and deliveries in flight; allow time for it (docker stop -t 60).
STOPSIGNAL SIGTERM
# One malloc arena, the young generation at 4 MB per semi-space, garbage collected on its own
# thread and the collector exposed for large bodies, as every launcher starts the relay
# (src/cli/launch-settings.ts; README, Operations, "Memory and GC").
ENV MALLOC_ARENA_MAX=1
ENTRYPOINT ["node", "--max-semi-space-size=4", "--single-threaded-gc", "--expose-gc", "dist/src/cli.js"]
CMD ["start"]
