# Build: the locked dependency set, release profile.
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY scenarios ./scenarios
COPY benches ./benches
RUN cargo build --release --locked --bin sandbox

# Run: no shell or curl needed; `sandbox healthcheck` probes the health endpoint.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /src/target/release/sandbox /usr/local/bin/sandbox
ENV SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080 \
    SANDBOX_LOG=info
# Mount scenario files here and set SANDBOX_SCENARIO=/scenarios to use them.
VOLUME ["/scenarios"]
EXPOSE 8080
USER nonroot
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
    CMD ["/usr/local/bin/sandbox", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/sandbox"]
