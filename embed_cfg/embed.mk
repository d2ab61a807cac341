# Generates kpython's MicroPython bundle through upstream's ports/embed.
#
#   make -f embed_cfg/embed.mk MICROPYTHON_TOP=<pristine tree> \
#        PACKAGE_DIR=<out>/micropython_embed BUILD=<out>/build-embed
#
# Upstream's embed package carries py/ only; kpython also enables extmod
# modules (time, re, json), so their sources are scanned for qstrs here and
# copied next to the package afterwards, as is MicroPython's double-precision
# libm (lib/libm_dbl), which floats and the math modules need. Run from embed_cfg/ so that
# `#include <mpconfigport.h>` finds our configuration.

KPY_EXTMOD_SRC = extmod/modtime.c extmod/modre.c extmod/modjson.c
SRC_QSTR += $(KPY_EXTMOD_SRC)
# kpython's own MicroPython-side C (no kernel headers): its qstrs and
# module registrations (the Makefile hashes these files into the bundle id).
SRC_QSTR += $(wildcard ../kernel_mod/kpy_mp_*.c)

# The `kernel` module's bindings (kernel_mod/kmod_*.c) define qstrs and
# register the module; they include no kernel header, so the host
# preprocessor reads them like upstream's sources.
KPY_KMOD_SRC = $(wildcard ../kernel_mod/kmod_*.c)
SRC_QSTR += $(KPY_KMOD_SRC)

include $(MICROPYTHON_TOP)/ports/embed/embed.mk

CFLAGS += -DNDEBUG

.PHONY: kpython-bundle
kpython-bundle: micropython-embed-package
	$(ECHO) "- kpython extmod"
	$(Q)$(CP) $(addprefix $(TOP)/,$(KPY_EXTMOD_SRC)) $(TOP)/extmod/modtime.h $(PACKAGE_DIR)/extmod
	$(Q)$(MKDIR) -p $(PACKAGE_DIR)/lib/re1.5
	$(Q)$(CP) $(TOP)/lib/re1.5/*.[ch] $(PACKAGE_DIR)/lib/re1.5
	$(ECHO) "- kpython libm_dbl"
	$(Q)$(MKDIR) -p $(PACKAGE_DIR)/lib/libm_dbl
	$(Q)$(CP) $(TOP)/lib/libm_dbl/*.[ch] $(PACKAGE_DIR)/lib/libm_dbl
