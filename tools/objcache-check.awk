# objcache-check.awk - a manifest's lines ("sha256  path", ABI placeholders
# already replaced) against the build's table of header digests
# (KPY_OBJCACHE_SUMS, "sha256  path" lines made once per build by the
# container script). Exits 1 at the first file the table knows with another
# digest; prints the lines of files the table does not know, for the caller
# to hash (sha256sum -c). Relative paths are relative to cwd, the compiler's
# working directory. Used by objcache-cc.sh (one object's manifest;
# tools/objcache-group.py checks a group's itself).
#   awk -v cwd=DIR -v sums=TABLE -f objcache-check.awk
BEGIN { while ((getline l < sums) > 0) h[substr(l, 67)] = substr(l, 1, 64) }
{
	p = substr($0, 67); a = p
	if (a !~ /^\//) { sub(/^(\.\/)+/, "", a); a = cwd "/" a }
	if (a in h) { if (h[a] != substr($0, 1, 64)) exit 1 } else print
}
