# 养老金发放核查工作台 — build, run and test.
# `make run` opens the GUI on a fresh demo workspace; `make test` runs every test.
# Both install what a fresh Debian/Ubuntu machine lacks (Go is assumed present).

GO       ?= go
APT_PKGS := gcc pkg-config libgl1-mesa-dev xorg-dev postgresql
BIN      := bin/pensionaudit
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all deps build run test bench fuzz lint smoke smoke-gui smoke-windows screenshots windows installer demo-data clean

all: build

# Install the C toolchain and headers Fyne's cgo driver needs, when missing.
deps:
	@command -v $(GO) >/dev/null || { echo "需要先安装 Go 1.26 或更新版本 (Go is required): https://go.dev/dl/"; exit 1; }
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "缺少系统软件包 (missing packages):$$missing — 请用本系统的包管理器安装"; exit 1; fi; \
	  echo "安装系统软件包 (installing):$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else \
	    echo "缺少$$missing，且没有 root 权限：请管理员运行 apt-get install$$missing"; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null || \
	    { echo "安装失败 (apt-get failed):$$missing"; exit 1; }; \
	fi

build: deps
	@test -x $(BIN) || echo "正在编译程序（第一次在新机器上约需 5 分钟，以后几秒钟）… (building: about 5 minutes the first time)"
	$(GO) build -o $(BIN) .

run: build
	./$(BIN) gui --demo

# the county window on a demo county (SQLite: no server needed)
run-county: build
	./$(BIN) county-gui --demo

# the county store's tests run against SQLite and a throwaway PostgreSQL
test: deps
	.ci/with-postgres $(GO) test ./...

# the county store's benchmarks run on SQLite and a throwaway PostgreSQL
bench: deps
	.ci/with-postgres $(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./audit/... ./ui

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzNormalizeID -fuzztime 20s ./audit/idcard
	$(GO) test -run '^$$' -fuzz FuzzParseDate -fuzztime 20s ./audit/sheet
	$(GO) test -run '^$$' -fuzz '^FuzzReadCSV$$' -fuzztime 20s ./audit/sheet
	$(GO) test -run '^$$' -fuzz '^FuzzReadXLS$$' -fuzztime 20s ./audit/sheet
	$(GO) test -run '^$$' -fuzz '^FuzzReadXLSX$$' -fuzztime 20s ./audit/sheet
	$(GO) test -run '^$$' -fuzz '^FuzzReadHTML$$' -fuzztime 20s ./audit/sheet
	$(GO) test -run '^$$' -fuzz '^FuzzImportCSV$$' -fuzztime 20s ./audit/workspace
	$(GO) test -run '^$$' -fuzz '^FuzzImportXLSX$$' -fuzztime 20s ./audit/workspace
	$(GO) test -run '^$$' -fuzz '^FuzzImportXLS$$' -fuzztime 20s ./audit/workspace

lint: deps
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@! $(GO) list -deps ./audit/... | grep -q '^fyne.io/' || { echo "audit/... must not import fyne"; exit 1; }
	@! $(GO) list -f '{{join .Imports "\n"}}' ./audit/cli/... ./ui/... | grep -qE '^pensionaudit/audit/(sqlite|sheet|rules|report)$$' || \
	  { echo "the front ends (audit/cli, ui) must use audit/workspace, not the store, readers, rules or reports"; exit 1; }
	@! $(GO) list -f '{{join .Imports "\n"}}' ./audit/report | grep -q '^pensionaudit/audit/sqlite$$' || { echo "audit/report must take audit types, not the store's"; exit 1; }
	$(GO) test -race -count=1 ./audit/sqlite
	$(GO) test -race -count=1 -run 'Racing|HeldLock|Parallel|Cancel|Locked|CountersignWaits|Auditor|Mapping' ./audit/workspace
	$(GO) test -race -count=1 -run 'TestWholeMonthInTheWindow|TestAuditorChangesNothingInTheWindow|TestDecideAcrossMonths' ./ui

# Import the shared sample township headless and list its problems.
smoke: build
	@test -d ../shared/samples || { echo "make smoke 需要项目旁边的 ../shared/samples（共享样本）；没有时请用 make run 的演示工作区"; exit 1; }
	rm -f /tmp/pensionaudit-smoke.db*
	./$(BIN) init --db /tmp/pensionaudit-smoke.db --township 东风镇
	printf 'smoke-secret\nsmoke-secret\n' | ./$(BIN) user add --db /tmp/pensionaudit-smoke.db --name 王主任 --role supervisor
	echo smoke-secret | ./$(BIN) import --db /tmp/pensionaudit-smoke.db --user 王主任 --kind payouts ../shared/samples/payouts_*
	echo smoke-secret | ./$(BIN) import --db /tmp/pensionaudit-smoke.db --user 王主任 --kind deaths ../shared/samples/deaths/*
	echo smoke-secret | ./$(BIN) import --db /tmp/pensionaudit-smoke.db --user 王主任 --kind deregistrations ../shared/samples/deregistrations.xlsx
	./$(BIN) problems --db /tmp/pensionaudit-smoke.db
	./$(BIN) verify --db /tmp/pensionaudit-smoke.db

# Start the real binary under Xvfb (no arguments, then gui --demo), fail if
# no window appears or it is blank.
smoke-gui: build
	@missing=""; for p in xvfb imagemagick xdotool; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null || \
	    { echo "安装失败 (apt-get failed):$$missing"; exit 1; }; \
	fi
	BIN=$(BIN) .ci/smoke-gui

# Every screen as PNG at 1366x768, headless, on the demo workspace.
screenshots: build
	./$(BIN) screenshots --out screenshots

# The Windows program: icon, version and manifest from FyneApp.toml in the
# .exe's resources (internal/winapp), built offline from the module cache.
WIN_PKGS := gcc-mingw-w64-x86-64-win32
windows:
	@command -v x86_64-w64-mingw32-gcc >/dev/null || $(MAKE) --no-print-directory APT_PKGS="$(WIN_PKGS)" deps
	@# every module in go.sum into the cache (a no-op, needing no network, once it is there) …
	@$(GO) mod download || { echo "模块缓存不全，且无法下载：请联网运行一次 go mod download (module cache incomplete)"; exit 1; }
	@# … then the build itself reads the cache only
	$(GO) run ./internal/winapp/winres FyneApp.toml rsrc_windows_amd64.syso bin/windows/version.nsh bin/windows/icon.ico
	GOPROXY=off GOFLAGS=-mod=readonly CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
	  $(GO) build -trimpath -ldflags "-s -w -H=windowsgui" -o bin/pensionaudit.exe .

# The installer (NSIS, per user, no administrator rights): bin/pensionaudit-setup-VERSION.exe.
installer: windows
	@command -v makensis >/dev/null || $(MAKE) --no-print-directory APT_PKGS="nsis" deps
	makensis -V2 -DROOT="$(CURDIR)" packaging/windows/installer.nsi

# Under Wine on Xvfb: install silently, run the installed CLI on the demo
# township against the Linux build's findings, open the installed window
# (screenshot in bin/windows/smoke.png). A test-only stand-in DLL gives
# Wine 8 the ProcessPrng Go's runtime needs (Windows 10 has it).
smoke-windows: installer build
	@command -v wine >/dev/null || $(MAKE) --no-print-directory APT_PKGS="wine wine64 xvfb imagemagick" deps
	PENSIONAUDIT_EXE=$(CURDIR)/bin/pensionaudit.exe $(GO) test -count=1 -run TestBuiltEXE ./internal/winapp
	BIN=$(BIN) .ci/smoke-windows

# Regenerate the embedded demo township (assets/demo).
demo-data:
	rm -rf assets/demo && $(GO) run ./audit/demo/gendemo assets/demo

clean:
	rm -rf bin rsrc_windows_amd64.syso
