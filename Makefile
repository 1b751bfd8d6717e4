# hddfs — one-command build, test and benchmarks.
#   make test    install missing Debian packages, build everything (native included), check format, run all tests
#   make build   leaves a runnable CLI at bin/hddfs
#   make bench   benchmarks, each printed beside its baseline
#   make fuzz    the long protocol fuzz run
DOTNET     ?= dotnet
CONFIG     ?= Release
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

# Build: gcc + headers for the QUIC shim; runtime/test: FUSE, mosquitto, namespaces, interop peers.
APT_PACKAGES := gcc make pkg-config fuse3 libngtcp2-dev libngtcp2-crypto-gnutls-dev libgnutls28-dev \
	mosquitto iproute2 iptables nftables ngtcp2-client ngtcp2-server attr rsync ffmpeg \
	sshfs openssh-server bindfs procps psmisc gnutls-bin

.PHONY: all deps native build test format format-check bench fuzz clean

all: build

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

native: deps
	$(MAKE) -C src/HddFs.Quic/native

build: native
	$(DOTNET) build HddFs.sln -c $(CONFIG) -nologo -clp:ErrorsOnly
	$(DOTNET) publish src/HddFs.Cli/HddFs.Cli.csproj -c $(CONFIG) -o bin/lib -nologo -clp:ErrorsOnly
	ln -sf lib/hddfs bin/hddfs
	@bin/hddfs --version >/dev/null && echo "bin/hddfs ready"

format-check:
	$(DOTNET) format HddFs.sln --verify-no-changes --no-restore

format:
	$(DOTNET) format HddFs.sln --no-restore

test: build format-check
	$(DOTNET) test HddFs.sln -c $(CONFIG) --no-build -nologo --logger "console;verbosity=minimal" \
	  -- RunConfiguration.TestSessionTimeout=1500000

bench: build
	$(DOTNET) run --project bench/HddFs.Bench -c $(CONFIG) --no-build -- $(BENCH_ARGS)

fuzz: build
	HDDFS_FUZZ_ITERATIONS=$${HDDFS_FUZZ_ITERATIONS:-5000000} $(DOTNET) test tests/HddFs.Protocol.Tests -c $(CONFIG) --no-build \
	  --filter "Category=Fuzz" --logger "console;verbosity=normal"

clean:
	$(DOTNET) clean HddFs.sln -c $(CONFIG) -nologo -clp:ErrorsOnly || true
	$(MAKE) -C src/HddFs.Quic/native clean
	rm -rf bin
