# kpython: build kpython.ko for a kernel.
#
#   make                 build for the running kernel
#   make KDIR=<dir>      build against the kernel build/headers dir <dir>
#   make clean
#
# Steps: fetch + verify the pinned MicroPython source (micropython/),
# generate the embed bundle with our configuration (embed_cfg/), apply the
# reviewed patches (kernel_mod/patches/, if any), compile with Kbuild.

KDIR ?= /lib/modules/$(shell uname -r)/build
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
include $(TOP)/micropython/pin.env
MP_SRC := $(TOP)/micropython/$(MP_DIR)
GEN := $(TOP)/kernel_mod/gen
BUNDLE := $(GEN)/micropython_embed
PATCHES := $(sort $(wildcard $(TOP)/kernel_mod/patches/*.patch))
CFG := $(wildcard $(TOP)/embed_cfg/*.h $(TOP)/embed_cfg/*.mk)
# Our sources scanned for qstrs (embed_cfg/embed.mk): the bundle depends on
# the names they use and the modules they register, not on the rest.
QSTR_SRC := $(wildcard $(TOP)/kernel_mod/kmod_*.c)
QSTR_USE := $(shell cat /dev/null $(QSTR_SRC) | \
	grep -o 'MP_QSTR_[A-Za-z0-9_]*\|MP_REGISTER_.*' | sort -u)
# MicroPython-side glue whose qstrs the bundle's generated headers hold.
CFG += $(wildcard $(TOP)/kernel_mod/kpy_mp_*.c)
# The bundle's stamp is named after its inputs, so that adding or removing
# a patch regenerates it as surely as editing one.
BUNDLE_ID := $(shell { cat $(TOP)/micropython/pin.env $(CFG) $(PATCHES) \
	$(TOP)/Makefile; echo '$(QSTR_USE)'; } | sha256sum | cut -c1-16)
STAMP := $(GEN)/.bundle-$(BUNDLE_ID)

# Generated files must not depend on when or where they were made.
export SOURCE_DATE_EPOCH ?= 0
export KBUILD_BUILD_TIMESTAMP ?= 1970-01-01
export KBUILD_BUILD_USER ?= kpython
export KBUILD_BUILD_HOST ?= kpython

.PHONY: all modules fetch bundle bundle-id clean distclean
all: modules

fetch: $(MP_SRC)/.kpython-verified

$(MP_SRC)/.kpython-verified: $(TOP)/micropython/pin.env
	$(TOP)/micropython/fetch.sh

bundle: $(STAMP)

# The name of the bundle's inputs, for the builder's bundle cache.
bundle-id:
	@echo $(BUNDLE_ID)

$(STAMP): $(MP_SRC)/.kpython-verified
	rm -rf $(GEN)
	mkdir -p $(GEN)
	# GIT_DIR: the pinned tree has no .git; without this, upstream's
	# version script would describe *our* checkout's commit.
	# CROSS_COMPILE= : the bundle is the same for every target, and its
	# generators (qstr preprocessing) run on the build machine.
	GIT_DIR=$(MP_SRC)/.no-git $(MAKE) -s -C $(TOP)/embed_cfg -f embed.mk \
		MICROPYTHON_TOP=$(MP_SRC) PACKAGE_DIR=$(BUNDLE) \
		BUILD=$(GEN)/build-embed CROSS_COMPILE= kpython-bundle
	for p in $(PATCHES); do \
		patch -s -p1 -d $(BUNDLE) < $$p || exit 1; \
	done
	# The glue includes the bundle with -isystem, whose headers Kbuild's
	# dependency files leave out: objects built against another bundle
	# (other qstr numbers) must not survive it.
	rm -f $(TOP)/kernel_mod/*.o
	touch $@

# Reproducible wherever the tree sits: no absolute path of ours in
# __FILE__ or debug info (KCFLAGS also reaches kpython.mod.c).
KPY_KCFLAGS := -ffile-prefix-map=$(TOP)/=

modules: $(STAMP)
	@test -f $(KDIR)/Makefile || { echo "no kernel build directory at $(KDIR):" \
		"install the headers (Debian: linux-headers-$$(uname -r)) or pass KDIR=<dir>" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP)/kernel_mod KCFLAGS="$(KCFLAGS) $(KPY_KCFLAGS)" modules
	# FPU-compiled interpreter and no-FPU glue meet only at FPU sections.
	sh $(TOP)/kernel_mod/check-fpu-boundary.sh $(TOP)/kernel_mod
	@echo "built $(TOP)/kernel_mod/kpython.ko"

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP)/kernel_mod clean
	rm -rf $(GEN)

distclean: clean
	rm -rf $(TOP)/micropython/$(MP_DIR) $(TOP)/micropython/.cache
