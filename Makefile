# SPDX-License-Identifier: GPL-2.0-or-later
# vqdump build: `make`, `make check`, `make install`, `make deps` (see README.md).

VERSION := 0.1
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := libpci libelf readline json-c libkdumpfile

# Debian 12 packages for building and for every test level.
DEPS_BUILD := build-essential pkg-config libpci-dev libelf-dev libreadline-dev libjson-c-dev libkdumpfile-dev
DEPS_TEST := libcmocka-dev clang python3 qemu-system-x86 busybox-static man-db tmux bash-completion zsh ca-certificates \
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients makedumpfile
DEPS := $(DEPS_BUILD) $(DEPS_TEST)

WARN := -Wall -Wextra -Wshadow -Wvla -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
# CI (CI=true in the environment) turns warnings into errors.
ifneq ($(CI),)
WERROR ?= 1
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif

# CPPFLAGS and LDFLAGS are the user's (packagers pass -D_FORTIFY_SOURCE=2,
# -Wl,-z,relro): every compile line carries CPPFLAGS, every link line LDFLAGS.
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lpci -lelf -lreadline -ljson-c -lkdumpfile)
ALL_CPPFLAGS = -D_GNU_SOURCE $(PKG_CFLAGS) -DVQDUMP_VERSION='"$(VERSION)"' $(CPPFLAGS)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -MMD -MP

# Build tree; the sanitizer and fuzz builds live inside it, so `make clean`
# (which removes $(B)) removes them too.
B ?= build
ASAN_B := $(B)/asan
FUZZ_B := $(B)/fuzz
LIB_SRC := $(wildcard src/model/*.c src/access/*.c src/decode/*.c src/driver/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all check check-fast unit asan fuzz fuzz-smoke install uninstall deps clean update-golden bench

all: $(B)/vqdump

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libvqdump.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(B)/vqdump: $(CLI_OBJ) $(B)/libvqdump.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libvqdump.a
	@mkdir -p $(dir $@)
	$(CC) -Isrc $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libvqdump.a $(PKG_LIBS) -lcmocka

unit: $(UNIT_BIN)

# Sanitizer build of everything, in its own tree (CPPFLAGS reaches it
# unchanged; the user's LDFLAGS come before the sanitizer's).
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
asan:
	$(MAKE) B=$(ASAN_B) CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(LDFLAGS) $(SAN_FLAGS)" all unit

# Fuzz targets (clang libFuzzer); `make fuzz` runs each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_B)/%)
# The library is compiled once with the fuzzer's coverage (fuzzer-no-link)
# and each target links it: compiling every source again for each of the
# 17 targets took most of CI's build time.
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-sanitize-recover=all $(PKG_CFLAGS) $(CPPFLAGS) -Isrc
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_B)/obj/%.o)
$(FUZZ_LIB_OBJ): $(FUZZ_B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
$(FUZZ_B)/libvqfuzz.a: $(FUZZ_LIB_OBJ)
	$(AR) rcs $@ $^
$(FUZZ_BIN): $(FUZZ_B)/%: tests/fuzz/%.c $(FUZZ_B)/libvqfuzz.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $< \
		$(FUZZ_B)/libvqfuzz.a $(PKG_LIBS)
fuzz: $(FUZZ_BIN)
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)
fuzz-smoke: $(FUZZ_BIN)

# Every test level; ends with "N passed, N failed".  QEMU system tests
# run when qemu-system-x86_64 is installed (make deps); QEMU=0 skips them
# and says so.
check: all unit asan fuzz-smoke
	tests/run.sh

update-golden: all
	tests/cli/update-golden.sh

bench: all
	bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(B)/vqdump $(DESTDIR)$(BINDIR)/vqdump
	install -m 0644 man/vqdump.1 $(DESTDIR)$(MANDIR)/man1/vqdump.1
	install -m 0644 completions/vqdump.bash $(DESTDIR)$(BASHCOMPDIR)/vqdump
	install -m 0644 completions/_vqdump $(DESTDIR)$(ZSHCOMPDIR)/_vqdump

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vqdump $(DESTDIR)$(MANDIR)/man1/vqdump.1 \
		$(DESTDIR)$(BASHCOMPDIR)/vqdump $(DESTDIR)$(ZSHCOMPDIR)/_vqdump

# Installs what building and every test level need on Debian 12 (root, or
# through sudo when run as a user).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEPS)

clean:
	rm -rf $(B)

# Dependency files from -MMD: a header change rebuilds what includes it,
# unit tests included ($(B)/tests/test_x.d names $(B)/tests/test_x).
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_BIN:=.d)
