# The tracemesh collector as a container (Debian 12, as the project builds on).
#   docker build -t tracemesh .
#   docker run -p 4317:4317 -p 4318:4318 -p 16686:16686 -v tracemesh-data:/var/lib/tracemesh tracemesh
# Inside the container the collector listens on 0.0.0.0 (the environment
# below); outside, publish only the ports you mean to. Any flag of
# `tracemesh collect` can be set with its TRACEMESH_* variable (docs/collector.md).

# Build: the release binary alone (no tests, examples or benchmarks). The web
# UI and the audit's grammars come from the npm registry, as in a checkout.
FROM debian:12 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build make pkg-config git ca-certificates nodejs npm \
      libcurl4-openssl-dev libcpp-httplib-dev nlohmann-json3-dev zlib1g-dev \
      libboost-dev libmosquitto-dev libspdlog-dev libfmt-dev \
      libsqlite3-dev libprotobuf-dev protobuf-compiler libsimdjson-dev libcli11-dev \
      libyaml-cpp-dev libjemalloc-dev libnghttp2-dev libtree-sitter-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DTRACEMESH_BUILD_TESTS=OFF -DTRACEMESH_BUILD_EXAMPLES=OFF -DTRACEMESH_BUILD_BENCH=OFF \
 && cmake --build /build --target tracemesh \
 && strip /build/src/cli/tracemesh

# Run: the shared libraries the binary links (tests/packaging checks this
# list against the binary), a user of its own, one volume for the data.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates libbrotli1 libcpp-httplib0.11 libjemalloc2 libnghttp2-14 libprotobuf32 \
      libsimdjson14 libsqlite3-0 libssl3 libyaml-cpp0.7 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/tracemesh --shell /usr/sbin/nologin tracemesh \
 && mkdir -p /var/lib/tracemesh \
 && chown tracemesh:tracemesh /var/lib/tracemesh
COPY --from=build /build/src/cli/tracemesh /usr/local/bin/tracemesh
ENV TRACEMESH_OTLP_LISTEN=0.0.0.0:4318 \
    TRACEMESH_OTLP_GRPC_LISTEN=0.0.0.0:4317 \
    TRACEMESH_HTTP_LISTEN=0.0.0.0:16686 \
    TRACEMESH_DATA=/var/lib/tracemesh \
    TRACEMESH_LOG_FORMAT=json
USER tracemesh
VOLUME /var/lib/tracemesh
# OTLP/gRPC, OTLP/HTTP (and Zipkin), the query API, UI, /metrics, /healthz, /readyz.
EXPOSE 4317 4318 16686
ENTRYPOINT ["/usr/local/bin/tracemesh"]
CMD ["collect"]
