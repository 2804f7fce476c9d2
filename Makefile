# twonet — top-level build.
#
#   make            build lib/libtwonet.{a,so}, bin/*, server/twonetd, tui/casedesk
#   make check      install deps, build with -Werror, run every test, then again
#                   under AddressSanitizer + UndefinedBehaviorSanitizer (build/asan),
#                   then the server-facing tests on PostgreSQL (make test-pg)
#   make demo       install deps, build, run scripts/demo
#   make fuzz       run every fuzz target (tests/fuzz) for FUZZ_SECONDS, clang + ASan + UBSan
#   make install    PREFIX=/usr/local DESTDIR=
#
# Every lib/*.c is part of libtwonet; every bin/*.c is one command; every
# server/*.c, server/store/*.c and server/store/{sqlite,pg}/*.c is part of
# twonetd (its storage backends); every tui/*.c is part of casedesk; every
# tests/unit/*.c is one cmocka test program (test_srv_* also link twonetd's
# modules, test_tui_* casedesk's); every bench/src/*.c is one benchmark or
# data-generator program, built as bench/NAME beside the scripts and never
# shipped inside the programs users run.  No file list to keep in sync.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
O          ?= .
SAN        ?=
WERROR     ?=

CC         ?= cc
PKGS       := libcurl yaml-0.1 libevent sqlite3 libxml-2.0 ncursesw readline openssl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS     ?= -O2 -g
WARN       := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-truncation
ifneq ($(WERROR),)
WARN       += -Werror
endif
ifneq ($(SAN),)
CFLAGS     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN      := -fsanitize=address,undefined
endif
CPPFLAGS   += -std=gnu11 -D_GNU_SOURCE -DTN_VERSION='"$(VERSION)"' \
              -DTN_SHAREDIR='"$(PREFIX)/share/twonet"' -Ilib $(PKG_CFLAGS)
ALL_CFLAGS  = $(CPPFLAGS) $(WARN) $(CFLAGS) -fPIC -MMD -MP
# --as-needed: a binary maps only the libraries it calls.  libcurl is loaded
# on first use (lib/curl_dl.c), so no command pays for its thirty libraries
# at start-up.
LDFLAGS    += -Wl,--as-needed
LIBS        = -ljq -lonig $(PKG_LIBS) -ldl -lm -lpthread
# libpq, for twonetd's PostgreSQL backend (server/store/pg/): twonetd, the
# server's unit tests and the bench programs that link its modules
PQ_CFLAGS  := $(shell pkg-config --cflags libpq 2>/dev/null)
PQ_LIBS    := $(shell pkg-config --libs libpq 2>/dev/null)

LIB_SRC    := $(sort $(wildcard lib/*.c))
BIN_SRC    := $(sort $(wildcard bin/*.c))
# twonetd's storage backends sit in server/store/: sqlite/ and pg/ (libpq)
SRV_SRC    := $(sort $(wildcard server/*.c server/store/*.c server/store/sqlite/*.c server/store/pg/*.c))
TUI_SRC    := $(sort $(wildcard tui/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/*.c))
TOOL_SRC   := $(sort $(wildcard bench/src/*.c))

LIB_OBJ    := $(LIB_SRC:%.c=$(O)/obj/%.o)
SRV_OBJ    := $(SRV_SRC:%.c=$(O)/obj/%.o)
TUI_OBJ    := $(TUI_SRC:%.c=$(O)/obj/%.o)
COMMANDS   := $(BIN_SRC:bin/%.c=$(O)/bin/%)
UNITS      := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/unit/%)
TOOLS      := $(TOOL_SRC:bench/src/%.c=$(O)/bench/%)
# twonetd's and casedesk's modules without their main(), for the unit tests
# and the bench programs that link them
SRVLIB     := $(O)/obj/server/libtwonetd.a
TUILIB     := $(O)/obj/tui/libcasedesk.a
STATICLIB  := $(O)/lib/libtwonet.a
SHAREDLIB  := $(O)/lib/libtwonet.so
TWONETD    := $(if $(SRV_SRC),$(O)/server/twonetd)
CASEDESK   := $(if $(TUI_SRC),$(O)/tui/casedesk)

.PHONY: all check check-build test test-pg deps demo install clean unit cli bench api-man
# twonet-api(7) is generated from the contract documents, in this order
API_DOCS   := $(wildcard doc/api-contract.md doc/api-certs.md doc/api-alerts.md doc/api-tasks.md doc/api-assets.md doc/api-reports.md doc/api-vitals.md)
all: $(STATICLIB) $(SHAREDLIB) $(COMMANDS) $(TWONETD) $(CASEDESK) $(UNITS) $(TOOLS)
# the synthetic asset register of issue 17 (scripts/gen-assets, deterministic): 4 MB of
# GeoJSON, made here rather than kept in git
ASSETS_DATA := share/twonet/assets/shanghai.geojson
all: $(ASSETS_DATA)
$(ASSETS_DATA): scripts/gen-assets share/twonet/divisions/shanghai.tsv
	@mkdir -p $(@D)
	python3 scripts/gen-assets --out $@.tmp && mv $@.tmp $@

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(STATICLIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(SHAREDLIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libtwonet.so.0 $(LDSAN) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/bin/%: $(O)/obj/bin/%.o $(STATICLIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $< $(STATICLIB) $(LIBS)

$(O)/server/twonetd: $(SRV_OBJ) $(STATICLIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $(SRV_OBJ) $(STATICLIB) $(LIBS) $(PQ_LIBS)

$(O)/tui/casedesk: $(TUI_OBJ) $(STATICLIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $(TUI_OBJ) $(STATICLIB) $(LIBS)

$(O)/tests/unit/%: $(O)/obj/tests/unit/%.o $(STATICLIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $< $(STATICLIB) $(LIBS) -lcmocka

$(SRVLIB): $(filter-out $(O)/obj/server/main.o,$(SRV_OBJ))
	rm -f $@ && ar rcs $@ $^
$(TUILIB): $(filter-out $(O)/obj/tui/main.o,$(TUI_OBJ))
	rm -f $@ && ar rcs $@ $^

# twonetd's modules see the storage interface (server/*.h); the SQLite
# backend's files their private store_int.h too
$(O)/obj/server/%.o: CPPFLAGS += -Iserver -Iserver/store/sqlite $(PQ_CFLAGS)
# unit tests of twonetd's and casedesk's modules, and the bench programs
$(O)/obj/tests/unit/test_srv_%.o: CPPFLAGS += -Iserver $(PQ_CFLAGS)
$(O)/obj/tests/unit/test_tui_%.o: CPPFLAGS += -Itui
$(O)/obj/bench/src/%.o: CPPFLAGS += -Iserver -Itui
$(O)/tests/unit/test_srv_%: $(O)/obj/tests/unit/test_srv_%.o $(SRVLIB) $(STATICLIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $< $(SRVLIB) $(STATICLIB) $(LIBS) $(PQ_LIBS) -lcmocka
$(O)/tests/unit/test_tui_%: $(O)/obj/tests/unit/test_tui_%.o $(TUILIB) $(STATICLIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $< $(TUILIB) $(STATICLIB) $(LIBS) -lcmocka
$(O)/bench/%: $(O)/obj/bench/src/%.o $(SRVLIB) $(TUILIB) $(STATICLIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $< $(TUILIB) $(SRVLIB) $(STATICLIB) $(LIBS) $(PQ_LIBS)

deps:
	@scripts/install-deps

api-man: man/twonet-api.7
man/twonet-api.7: $(API_DOCS) scripts/md2man
	scripts/md2man $(API_DOCS) > $@.tmp && mv $@.tmp $@

# The suite, against the build in $(O).
test: all
	@O=$(O) SAN=$(SAN) tests/run-suite

# The server-facing shell tests again on PostgreSQL (a throwaway cluster per test
# file; tests/run-suite says which files and why).
test-pg: all
	@O=$(O) SAN=$(SAN) TWONET_TEST_BACKEND=postgresql tests/run-suite

check: deps
	$(MAKE) WERROR=1 all
	$(MAKE) WERROR=1 test
	$(MAKE) O=build/asan SAN=1 WERROR=1 all
	$(MAKE) O=build/asan SAN=1 WERROR=1 test
	$(MAKE) WERROR=1 test-pg

demo: deps
	$(MAKE) all
	scripts/demo

bench: all
	@for b in bench/*.sh; do echo "== $$b"; $$b || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/twonet \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	  $(DESTDIR)$(PREFIX)/share/man/man7 $(DESTDIR)$(PREFIX)/share/man/man8 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/twonet
	install -m 755 $(COMMANDS) $(CASEDESK) $(DESTDIR)$(PREFIX)/bin/
	$(if $(TWONETD),install -m 755 $(TWONETD) $(DESTDIR)$(PREFIX)/sbin/)
	install -m 644 $(STATICLIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHAREDLIB) $(DESTDIR)$(PREFIX)/lib/libtwonet.so.0
	ln -sf libtwonet.so.0 $(DESTDIR)$(PREFIX)/lib/libtwonet.so
	install -m 644 lib/twonet.h lib/tn_*.h $(DESTDIR)$(PREFIX)/include/twonet/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' twonet.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/twonet.pc
	for m in man/*.[1-8]; do s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done
	install -m 644 completions/bash/* $(DESTDIR)$(PREFIX)/share/bash-completion/completions/
	install -m 644 completions/zsh/* $(DESTDIR)$(PREFIX)/share/zsh/site-functions/
	cp -R share/twonet/. $(DESTDIR)$(PREFIX)/share/twonet/

# ---- fuzzing (tests/fuzz/README) ----
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="json cap"]
#                   build every tests/fuzz/*.c target with clang, libFuzzer, ASan
#                   and UBSan in build/fuzz, then run each for FUZZ_SECONDS
#   make fuzz-build only build them: build/fuzz/tests/fuzz/TARGET
# Each target is also linked with tests/fuzz/replay.c, a plain main, as
# $(O)/obj/tests/fuzz/TARGET-replay (part of `all`): make check replays the
# seed corpora and the regressions through it (tests/cli/t0900-fuzz-replay.sh).
FUZZ_CC      ?= clang-14
FUZZ_O       := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SRC     := $(filter-out tests/fuzz/replay.c,$(sort $(wildcard tests/fuzz/*.c)))
FUZZ_NAMES   := $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_LIB     := $(FUZZ_O)/lib/libtwonet.a
REPLAYS      := $(FUZZ_NAMES:%=$(O)/obj/tests/fuzz/%-replay)

.PHONY: fuzz fuzz-build FORCE
all: $(REPLAYS)
$(O)/obj/tests/fuzz/%.o: CPPFLAGS += -DFUZZ_SHAREDIR='"$(CURDIR)/share/twonet"'
$(O)/obj/tests/fuzz/%-replay: $(O)/obj/tests/fuzz/%.o $(O)/obj/tests/fuzz/replay.o $(STATICLIB)
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $^ $(LIBS)

# the library compiled by clang with the same sanitizers and libFuzzer's coverage
ifneq ($(O),$(FUZZ_O))
$(FUZZ_LIB): FORCE
	@$(MAKE) --no-print-directory O=$(FUZZ_O) CC=$(FUZZ_CC) SAN= WARN= \
	  CFLAGS='$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link' $@
endif
$(FUZZ_O)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -DFUZZ_SHAREDIR='"$(CURDIR)/share/twonet"' $(FUZZ_CFLAGS) \
	  -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LIBS)
fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_O)/tests/fuzz/%)
fuzz: fuzz-build
	@FUZZ_O=$(FUZZ_O) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run $(FUZZ_TARGETS)

clean:
	rm -rf obj build lib/libtwonet.a lib/libtwonet.so $(COMMANDS) server/twonetd tui/casedesk $(UNITS) $(TOOLS)

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
