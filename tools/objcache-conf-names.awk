# objcache-conf-names.awk - the lines of the kernel configuration a class of
# objects can see, for tools/objcache-group.sh: the "#define NAME ..." of
# every CONFIG_ name its files or commands say, and of that name with
# _MODULE added or taken off. That is the rule by which Kbuild's fixdep
# decides which configuration changes rebuild an object (kconfig.h's
# IS_MODULE(CONFIG_FOO) pastes _MODULE onto a name the file says; the group
# keys the whole header when a file pastes anything else onto CONFIG_).
#   sed -f objcache-conf.sed autoconf.h | awk -v names=FILE -f objcache-conf-names.awk
# FILE holds one CONFIG_ name per line. Exits 2 at a line of any other
# shape than kconfig's (after objcache-conf.sed dropped its leading
# comment): such a header is keyed whole.
BEGIN {
	while ((getline n < names) > 0) {
		sub(/_MODULE$/, "", n)
		want[n] = 1
	}
}
/^$/ { next }
!/^#define CONFIG_[A-Za-z0-9_]+ / { exit 2 }
{
	n = $2
	sub(/_MODULE$/, "", n)
	if (n in want) print
}
