# fleetsim image: `fleetsim run` (simulator shards), `fleetsim hub` and `fleetsim report`.
#   docker build -t fleetsim:0.1.0 .
#   docker run --rm fleetsim:0.1.0 run scenarios/quickstart.toml
#
# Stage 1 builds on Debian 12 with the build packages of scripts/setup.sh (the deploy test checks
# that every one is in setup.sh's list) and scripts/build.sh, tests and benchmarks off. Stage 2 is
# Debian 12 slim with only the shared libraries the binary links (the deploy test checks them
# against `ldd` of a real build), the binary, scenarios/ and dashboards/.

FROM debian:12 AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y -q --no-install-recommends \
      build-essential g++ cmake ninja-build pkg-config \
      libboost1.81-dev libboost-json1.81-dev \
      libssl-dev \
      prometheus-cpp-dev \
      libtomlplusplus-dev \
      libcli11-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN BUILD_DIR=/build scripts/build.sh -DFLEETSIM_TESTS=OFF -DFLEETSIM_BENCH=OFF --target fleetsim \
 && strip /build/app/fleetsim

FROM debian:12-slim AS runtime
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y -q --no-install-recommends \
      libboost-json1.81.0 libboost-container1.81.0 \
      libssl3 ca-certificates \
      libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
      libtomlplusplus3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /opt/fleetsim fleetsim \
 && mkdir -p /reports /data \
 && chown fleetsim:fleetsim /reports /data
COPY --from=build /build/app/fleetsim /usr/local/bin/fleetsim
COPY scenarios/ /opt/fleetsim/scenarios/
COPY dashboards/ /opt/fleetsim/dashboards/
WORKDIR /opt/fleetsim
USER fleetsim
# 9464: `run --metrics-port`; 9465: `hub --metrics-port`; 1883/8883/8443: the hub's MQTT, MQTT/TLS
# and HTTPS/WebSocket listeners as docker-compose.yml and deploy/kubernetes/ start it.
EXPOSE 9464 9465 1883 8883 8443
ENTRYPOINT ["fleetsim"]
CMD ["--help"]
