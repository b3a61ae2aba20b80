# Ml.GanSdp: two commands on a fresh Debian 12 machine (as root):
#   make demo   installs what is missing, builds, runs the main job
#   make test   installs what is missing, builds, runs the test suite
SHELL := /bin/bash
CONFIG ?= Release
DOTNET ?= dotnet
# libopenblas0-pthread: the PyTorch oracle's BLAS (without it, --no-install-recommends leaves the slow reference BLAS).
APT_PACKAGES := make libopenblas0-pthread python3-torch python3-torchvision python3-scipy python3-numpy python3-pil python3-onnx dataset-fashion-mnist
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: all deps build test demo bench clean

all: build

# Idempotent: installs only the Debian packages that are missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "Debian packages: all present"; fi
	@command -v $(DOTNET) >/dev/null || { echo "error: the .NET 10 SDK ('dotnet') is not on PATH"; exit 1; }

build: deps
	$(DOTNET) build MlGan.sln -c $(CONFIG) -v minimal --nologo

test: build
	@bash scripts/run-tests.sh $(CONFIG)

demo: build
	$(DOTNET) run --project src/Ml.GanSdp.Samples -c $(CONFIG) --no-build -- demo

bench: build
	@bash bench/run.sh $(CONFIG)

clean:
	rm -rf src/*/bin src/*/obj tests/*/bin tests/*/obj bench/*/bin bench/*/obj

# Mode coverage (ring of 8, grid of 25; baseline vs SDP) and SDP overhead on a DCGAN step: docs/benchmarks.md.
.PHONY: bench-modes
bench-modes: build
	@bash bench/modes/run.sh $(CONFIG)

# FID feature extraction images/s: Inception on TorchSharp / ONNX Runtime / ML.NET vs PyTorch 1.13, ResNet18 (docs/benchmarks.md).
.PHONY: bench-fid
bench-fid: build
	@bash bench/fid/run.sh $(CONFIG)

# The SDP study on CIFAR-10: baseline vs SDP, standard DCGAN and aggressive WGAN-GP, FD (ResNet18) curves and final FD
# against cached CIFAR-10 train statistics; resumable (re-running skips finished runs). Results: docs/sdp-study.md.
.PHONY: bench-cifar
bench-cifar: build
	@bash bench/cifar/run.sh $(CONFIG)

# Augmentation gain and CAS with ML.NET classifiers on Fashion-MNIST: two conditional DCGANs (with and without SDP)
# trained by `gansdp train`, then `gansdp-bench augment` (docs/benchmarks.md).
.PHONY: bench-augment
bench-augment: build
	@bash bench/augment/run.sh $(CONFIG)
