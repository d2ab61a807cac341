# objcache-listing.awk - for each group manifest, the part of the build's
# listing of the header trees (KPY_OBJCACHE_LISTING) that could have changed
# what its objects' #includes found, for tools/objcache-group.sh:
#   awk -v listing=FILE -v out=PREFIX -f objcache-listing.awk MANIFEST...
# writes PREFIX.<i> for the i-th manifest: the listing's "tree" lines, every
# link, and every entry whose last name is the last name of a file the
# manifest lists ("sha256  path" lines). An #include of "a/b.h" looks for
# b.h in each directory of the search, so only a new file named b.h (or a
# link, below which the listing shows nothing) can come before the one it
# found. The caller hashes each file.
FNR == 1 { i++; printf "" > (out "." i) }
substr($0, 65, 2) == "  " {
	n = split(substr($0, 67), a, "/")
	if (!((a[n], i) in has)) { has[a[n], i] = 1; w[a[n]] = w[a[n]] " " i }
}
END {
	while ((getline l < listing) > 0) {
		if (l ~ /^tree / || l ~ /^l /) {
			for (j = 1; j <= i; j++) print l > (out "." j)
			continue
		}
		# "%y %p %l": type, path, an empty link target.
		p = substr(l, 3)
		sub(/ $/, "", p)
		n = split(p, a, "/")
		if (a[n] in w) {
			k = split(substr(w[a[n]], 2), js, " ")
			for (x = 1; x <= k; x++) print l > (out "." js[x])
		}
	}
}
