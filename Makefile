# ctr-lite: `make demo` runs a container on a fresh machine; `make test`
# runs every test. Both install what is missing (Debian packages).
GO        ?= go
BIN       := bin
CTR       := $(BIN)/ctr-lite
RUNC      := $(BIN)/runc
WAITER    := lifecycle/monitor/waiterbin/bin/ctr-lite-waiter
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/ctr-lite/ctr-lite/cmd.Version=$(VERSION)
DEBS      := runc busybox-static bats iptables nftables curl python3 libseccomp-dev gcc file docker-registry mmdebstrap systemd skopeo umoci xz-utils bzip2
TESTIMAGES := testdata/busybox.tar testdata/layered.tar testdata/volume.tar testdata/busybox-oci.tar testdata/unit-hostile.tar
HOSTILE    := testdata/hostile/cases.json

.PHONY: all build deps demo test unit fuzz fuzz-short integration bats leakcheck bench testimage debianimage systemdimage clean

all: build

# deps installs the Debian packages the build and tests need, only if missing.
deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: $(CTR) $(RUNC)

$(CTR): $(shell find . -name '*.go' -not -path './testdata/*') go.mod go.sum $(WAITER)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ .

# The small waiter, embedded in ctr-lite (lifecycle/monitor/waiterbin):
# built first, so that ctr-lite stays one file. Without it (a plain go
# build), monitors run the big waiter.
$(WAITER): $(shell find . -name '*.go' -not -path './testdata/*') go.mod go.sum
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o $@ ./lifecycle/monitor/smallwaiter

# runc is pinned in go.mod (a tool dependency) and built with seccomp.
$(RUNC): go.mod go.sum
	CGO_ENABLED=1 $(GO) build -trimpath -tags seccomp -o $@ github.com/opencontainers/runc

testimage: $(TESTIMAGES) $(HOSTILE) debianimage systemdimage

# debianimage: a Debian bookworm minbase (dynamic binaries, non-root
# users, nginx) from the Debian mirror, cached outside the clone and
# rebuilt only when testdata/mkdebian.sh changes.
debianimage:
	testdata/mkdebian.sh testdata/debian.tar

# systemdimage: Debian with systemd as /sbin/init, booted as a container's
# PID 1 by test/36-quadlet.bats; cached as debianimage is.
systemdimage:
	testdata/mksystemd.sh testdata/debian-systemd.tar

$(TESTIMAGES) &: testdata/mkimage/main.go
	$(GO) run ./testdata/mkimage testdata

$(HOSTILE): testdata/mkimage/main.go testdata/mkimage/hostile.go
	$(GO) run ./testdata/mkimage -hostile testdata

DEMO_ROOT := /var/lib/ctr-lite
demo: deps build $(TESTIMAGES)
	$(CTR) load -i testdata/busybox.tar
	$(CTR) images
	$(CTR) run --rm busybox echo "hello from a ctr-lite container"

test: deps build testimage unit fuzz-short integration bats

unit:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Fuzz targets: 2000 inputs each in make test (a count, not a time: on a
# busy machine a 3s budget ended in "context deadline exceeded"), FUZZTIME
# each in make fuzz.
FUZZ_TARGETS := rootfs:FuzzApplyLayer rootfs:FuzzNormalizeRef netsetup:FuzzParsePorts \
	opts:FuzzParseBind opts:FuzzParseUlimit opts:FuzzEnvFile systemd:FuzzQuoteWord state:FuzzAppendEntry
FUZZTIME ?= 5m
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=2000x
fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t#*:}; \
		echo "fuzz $$fn ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./$$pkg/ >/tmp/ctr-lite-fuzz.log 2>&1 || { cat /tmp/ctr-lite-fuzz.log; rm -f /tmp/ctr-lite-fuzz.log; exit 1; }; \
		tail -1 /tmp/ctr-lite-fuzz.log; \
	done; rm -f /tmp/ctr-lite-fuzz.log

# Root-only Go tests on real overlayfs and runc; they skip when not root.
integration: build testimage
	CTR_LITE_TEST_RUNC=$(abspath $(RUNC)) $(GO) test -count=1 -tags integration ./lifecycle/

bats: build testimage
	CTR=$(abspath $(CTR)) test/run-bats.sh test/

# leakcheck fails if mounts, namespaces, veths or processes are left behind.
leakcheck:
	@test/leakcheck.sh

bench: deps build testimage
	test/bench.sh

clean:
	rm -rf $(BIN) $(WAITER) $(TESTIMAGES) testdata/debian.tar testdata/debian-systemd.tar testdata/busybox-oci testdata/big.tar testdata/hostile
