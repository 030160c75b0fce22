# Backroom build and test entry points. GNU make; recipes run under /bin/sh (dash-safe).
#
#   make run          install missing system packages, build, start Backroom
#   make run DB=path  same, on the database at path (passed as --db path)
#   make test         install missing packages, go vet, go test -race, govulncheck
#   make soak         crash and two-process tests at length (KILLS=200, DURATION=60s)
#
# Fyne (GLFW/OpenGL) and go-sqlite3 both need cgo, so a C compiler is required.

SHELL := /bin/sh
.NOTPARALLEL:

GO       ?= go
BINARY   ?= backroom
DB       ?=
ARGS     ?=
FUZZTIME ?= 20s
# make soak: SIGKILLs of the crash test, and how long the two-process load test writes (make test runs
# the same tests with 20 kills and 10 s).
KILLS    ?= 200
DURATION ?= 60s
FYNE_TOOLS_VERSION ?= v1.7.4

export CGO_ENABLED := 1
# SQLite's query planner stability guarantee. Without it, every statement whose plan could depend on a
# bound value (any "col = ?" the planner weighs) is marked for re-preparing on rebinding, and go-sqlite3
# clears the bindings before each run: an import re-prepared its order-line insert for every line, ~600 µs
# instead of ~30 µs. Backroom's plans never need the bound values. data's TestBuiltWithStablePlans checks
# the flag reached the build (see BENCHMARKS.md, "Import").
export CGO_CFLAGS := $(or $(CGO_CFLAGS),-O2 -g) -DSQLITE_ENABLE_QPSG

# Debian/Ubuntu packages: cgo for GLFW/X11 + GL, and the bundled sqlite amalgamation.
BUILD_PKGS := gcc libc6-dev libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev
# Extra packages for tests: headless X server, screenshots, driving the real window; Dovecot for the
# IMAP integration tests (importers/mailbox starts its own server, see testdata/dovecot/); a private
# D-Bus and GNOME Keyring for the keychain test against a real Secret Service (app/keychain).
# poppler-utils and zbar-tools read back the PDFs the app prints (text, pages, barcodes); openpyxl and
# LibreOffice (without its GUI) open the workbooks the app exports, LibreOffice recalculating formulas.
TEST_PKGS := xvfb xauth x11-apps imagemagick xdotool dovecot-imapd dbus-daemon gnome-keyring \
	poppler-utils zbar-tools python3-openpyxl libreoffice-calc-nogui

.PHONY: all deps test-deps build run test vet vulncheck soak bench bench-import bench-mail fuzz package clean

all: build

# $(call install_pkgs,<debian packages>)
# On Debian/Ubuntu: install only the packages dpkg does not report as installed
# (apt-get update only when something is missing; sudo when not root).
# Elsewhere: print what to install and carry on. Always checks that Go exists.
define install_pkgs
	@set -e; \
	if [ -f /etc/debian_version ] || command -v apt-get >/dev/null 2>&1; then \
		missing=""; \
		for p in $(1); do \
			dpkg -s "$$p" 2>/dev/null | grep -Eq '^Status: [a-z]+ ok installed' || missing="$$missing $$p"; \
		done; \
		if [ -n "$$missing" ]; then \
			echo "deps: installing missing packages:$$missing"; \
			if [ "$$(id -u)" = 0 ]; then sudo=""; \
			elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
			else echo "deps: not root and no sudo; as root run: apt-get install -y --no-install-recommends$$missing" >&2; exit 1; fi; \
			$$sudo apt-get update; \
			$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
		else \
			echo "deps: all system packages present ($(words $(1)) checked)"; \
		fi; \
	else \
		case "$$(uname -s 2>/dev/null)" in \
		Darwin) \
			if ! xcode-select -p >/dev/null 2>&1; then \
				echo "deps: install the Xcode command line tools (C compiler for cgo): xcode-select --install"; \
			fi ;; \
		MINGW*|MSYS*|CYGWIN*|Windows_NT) \
			echo "deps: Windows needs Go (https://go.dev/dl/) and a mingw-w64 gcc, e.g. from MSYS2:"; \
			echo "      pacman -S mingw-w64-x86_64-gcc   (then build from the MSYS2 MinGW shell)" ;; \
		*) \
			echo "deps: not a Debian/Ubuntu system; install a C compiler and the OpenGL and X11 development"; \
			echo "      headers (GL, X11, Xcursor, Xrandr, Xinerama, Xi, Xxf86vm) with your package manager."; \
			echo "      Debian names for reference: $(strip $(1))" ;; \
		esac; \
	fi; \
	if ! command -v $(GO) >/dev/null 2>&1; then \
		echo "deps: Go is not installed (or not on PATH). Install Go 1.24 or newer from https://go.dev/dl/" >&2; \
		echo "      (Linux: unpack to /usr/local/go and add /usr/local/go/bin to PATH)." >&2; \
		exit 1; \
	fi
endef

deps:
	$(call install_pkgs,$(BUILD_PKGS))

test-deps:
	$(call install_pkgs,$(BUILD_PKGS) $(TEST_PKGS))

build:
	$(GO) build -o $(BINARY) .

run: deps build
	./$(BINARY) $(if $(DB),--db '$(DB)') $(ARGS)

vet:
	$(GO) vet ./...

# The window test in app/window_test.go starts its own Xvfb when the binary is present.
# LANG: Fyne logs a parse error for the bare C locale of servers and CI.
test: test-deps
	$(GO) vet ./...
	LANG=en_US.UTF-8 $(GO) test -race -count=1 -timeout 30m ./...
	GO=$(GO) ./.ci/vulncheck.sh

# Known vulnerabilities (govulncheck, installed when missing) in the code and the modules it calls: fails
# on a finding; says "NOT CHECKED" and passes when vuln.go.dev cannot be reached. VULNCHECK_DB=file:///…
# checks against a mirror.
vulncheck:
	GO=$(GO) ./.ci/vulncheck.sh

# Nothing lost, at length (see BENCHMARKS.md): the crash test kills a child process KILLS times, the
# load test runs a GUI-like and an import process on one file for DURATION, then the full-disk and
# read-only checks (as root: tmpfs, bind mounts, chattr). Without -race, so the kills cover more work.
# CRASH_SEED=n repeats a crash run's choices.
soak:
	KILLS=$(KILLS) DURATION=$(DURATION) $(GO) test -count=1 -timeout 60m -v \
		-run '^(TestCrash_KilledAtRandom|TestTwoProcesses_NoLockedNoLostWrite|TestStorage.*)$$' ./data/

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./data/...

# Import speed and memory against sqlite3's .import and LibreOffice (see BENCHMARKS.md); slow: the
# 1,000,000-line file alone takes minutes. REPEAT=n runs, BIG=0 skips the memory run.
bench-import:
	GO=$(GO) ./bench/import.sh

# Order e-mail sync against mbsync on the same local Dovecot (see BENCHMARKS.md); installs
# dovecot-imapd and isync when missing. MESSAGES=n sets the mailbox size, REPEAT=n the runs.
bench-mail:
	GO=$(GO) ./bench/mail.sh

# Runs every fuzz target in every package for FUZZTIME each.
fuzz:
	@set -e; n=0; \
	for pkg in $$($(GO) list ./...); do \
		names=$$($(GO) test -list 'Fuzz.*' "$$pkg"); \
		for f in $$(printf '%s\n' "$$names" | grep '^Fuzz' || true); do \
			n=$$((n + 1)); \
			echo "fuzz: $$pkg $$f for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
		done; \
	done; \
	echo "fuzz: ran $$n target(s)"

# Builds the platform bundle for the current OS (Linux: Backroom.tar.xz).
# fyne package bumps Build in FyneApp.toml after every run; the file is restored
# so packaging leaves the tree clean (bump Build deliberately for a release).
package: deps
	@set -e; \
	fyne=$$(command -v fyne || true); \
	if [ -z "$$fyne" ]; then \
		bin=$$($(GO) env GOBIN); [ -n "$$bin" ] || bin="$$($(GO) env GOPATH | cut -d: -f1)/bin"; \
		if [ ! -x "$$bin/fyne" ]; then \
			echo "package: installing fyne.io/tools/cmd/fyne@$(FYNE_TOOLS_VERSION)"; \
			$(GO) install fyne.io/tools/cmd/fyne@$(FYNE_TOOLS_VERSION); \
		fi; \
		fyne="$$bin/fyne"; \
	fi; \
	goos=$$($(GO) env GOOS); \
	saved=$$(mktemp); cp FyneApp.toml "$$saved"; status=0; \
	echo "$$fyne package -os $$goos"; \
	"$$fyne" package -os "$$goos" || status=$$?; \
	cp "$$saved" FyneApp.toml; rm -f "$$saved"; \
	exit $$status

clean:
	rm -f $(BINARY) $(BINARY).exe Backroom.tar.xz Backroom.exe
	rm -rf Backroom.app
