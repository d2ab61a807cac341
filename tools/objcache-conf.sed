# objcache-conf.sed - the kernel configuration header
# (include/generated/autoconf.h) as the object cache keys it, for a unit
# that cannot see the build salt (tools/objcache-cc.sh decides which):
#   - without its leading comment block, which names the upstream release
#     (" * Linux/x86 6.12.117 Kernel Configuration"): a comment changes no
#     compile, and the header holds only macros, whose lines -g does not
#     record. Only kconfig's shape is dropped: "/*", lines that start " *"
#     and say no "*/", then " */". Anything else (a line of another shape,
#     a comment closed elsewhere, no end) keeps the text as it is, keyed by
#     its bytes;
#   - with the salt (CONFIG_BUILD_SALT "<release>") made the same for every
#     release.
# Every #define is kept as it is: any other configuration difference misses.
# Used by tools/objcache-cc.sh, tools/objcache-group.py and
# docker/build-in-container.sh: sed -f objcache-conf.sed autoconf.h | sha256sum
1{
	/^\/\*$/{
		:comment
		N
		/\n \*\/$/d
		/\n[^\n]*\*\/[^\n]*$/b
		/\n \*[^\n]*$/!b
		b comment
	}
}
s/^#define CONFIG_BUILD_SALT ".*"$/#define CONFIG_BUILD_SALT "@RELEASE@"/
