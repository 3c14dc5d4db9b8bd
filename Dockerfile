# syntax=docker/dockerfile:1
#
# arangosync image: one statically linked binary on distroless/static.
#
# KEEP IN SYNC with .ci/lint ("static binary" step): CI cannot run Docker, so it
# runs the same `cargo build` command as the build stage below on the host and
# proves the result is static and starts from an empty directory. If you change
# the target, the profile, the package or the flags here, change them there.

# The toolchain is pinned so an image rebuilt later is built by the same
# compiler; bump it together with the toolchain CI uses.
FROM rust:1.95-bookworm AS build

# A static glibc binary: crt-static links libc in, reqwest resolves names
# with its own resolver (hickory-dns) instead of glibc's NSS modules, which a
# static binary could not load. This needs no extra toolchain, so CI can build
# exactly the same binary with the toolchain it already has.
ENV RUSTFLAGS="-C target-feature=+crt-static"

WORKDIR /src

# Dependencies first: this layer is rebuilt only when a manifest or the lock
# file changes, not on every source edit. Cargo loads the whole workspace, so
# every member needs a manifest and a target to exist; empty stubs suffice
# because only arangosync and its dependencies are compiled here.
COPY Cargo.toml Cargo.lock ./
COPY aql-lexer/Cargo.toml aql-lexer/
COPY arangodb-emulator/Cargo.toml arangodb-emulator/
RUN mkdir -p src aql-lexer/src arangodb-emulator/src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs aql-lexer/src/lib.rs arangodb-emulator/src/lib.rs \
 && cargo build --release --locked --target x86_64-unknown-linux-gnu -p arangosync

# The emulator is a test double (a dev-dependency), so its sources stay out.
COPY src src
COPY aql-lexer/src aql-lexer/src
# COPY keeps the build context's mtimes, which can be older than the stub
# build's fingerprints: touch the workspace crates so cargo rebuilds them.
RUN touch src/main.rs src/lib.rs aql-lexer/src/lib.rs \
 && cargo build --release --locked --target x86_64-unknown-linux-gnu -p arangosync \
 && cp target/x86_64-unknown-linux-gnu/release/arangosync /arangosync \
 && /arangosync --version

# distroless/static has no shell or package manager but ships CA certificates,
# /etc/passwd with the nonroot user and tzdata; arangosync needs nothing more.
FROM gcr.io/distroless/static-debian12:nonroot

LABEL org.opencontainers.image.title="arangosync" \
      org.opencontainers.image.description="Reconcile a live ArangoDB with a Git repository of feature-store definitions" \
      org.opencontainers.image.licenses="Apache-2.0"

COPY --from=build /arangosync /arangosync

# Numeric, so Kubernetes can verify runAsNonRoot without reading /etc/passwd.
USER 65532:65532

ENTRYPOINT ["/arangosync"]
CMD ["--help"]
