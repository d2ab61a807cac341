# report.awk - turn the VM console log into per-case results.
#
# usage: awk -v cases='insmod a b ... rmmod' -f report.awk console.log
#
# Prints one line per case (with the driver's details for failures), a
# "kernel-log" pseudo-case for the scan of the kernel log, and counts on the
# last line: "passed=N failed=N skipped=N". Exit status 0 iff nothing failed.

function kernel_line(s) {
	return s ~ /\[ *[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]\]/
}

# The checkers of the debug kernel (test/vm/debug-kernel.sh) mostly start
# their reports with "BUG:" or "WARNING:", but not all (UBSAN, some lockdep
# lines); none of these words occurs in their boot banners, which precede
# the insmod marker anyway.
function bad(s) {
	return s ~ /BUG|Oops|WARNING|soft lockup|stack-protector|general protection|Call Trace|kernel stack overflow|stack guard page|Kernel panic|blocked for more than|detected stalls on CPUs|rcu_(sched|preempt) self-detected stall/ ||
		s ~ /KASAN|KFENCE:|UBSAN:|lockdep|DEBUG_LOCKS_WARN_ON|locking correctness validator|possible circular locking|possible recursive locking|inconsistent lock state|sleeping function called from invalid context|scheduling while atomic|unreferenced object/
}

# A kmemleak backtrace frame in kpython: symbolized while the module is
# loaded, a bare module-area address once it is gone (the scan runs after
# rmmod; kpython is the rig's only module).
function kpython_frame(s) {
	return s ~ /\[kpython\]/ || s ~ /\] 0xffffffff[c-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/
}

function note_hit(where, s) {
	if (nhits < 40)
		hits[++nhits] = where ": " s
	else
		nhits++
}

BEGIN {
	n = split(cases, order, " ")
	for (i = 1; i <= n; i++)
		known[order[i]] = 1
	region = "boot"  # boot, tests, dmesg
	dmesg_armed = 0
	current = ""
	kcase = ""
}

{
	sub(/\r$/, "")
	# Boot firmware output or a kernel message may precede a marker.
	orig = $0
	if ((i = index($0, "@@KPY ")) > 1) {
		$0 = substr($0, i)
		if (region == "tests" && kernel_line(orig) && bad(orig))
			note_hit("console" (current != "" ? " (during " current ")" : ""), orig)
	}
}

# kmemleak's report, read after rmmod and a scan (kernels booted with
# kmemleak=on): every unreferenced object whose backtrace passes through
# kpython is a leak of ours; the kernel's own (boot-time) ones are counted.
/^@@KPY KMEMLEAK BEGIN/ { region = "kmemleak"; have_kmemleak = 1; next }
/^@@KPY KMEMLEAK END/ { region = "after"; leak_end(); next }
/^@@KPY KMEMLEAK FAILED/ { have_kmemleak = 1; kmemleak_failed = substr($0, 21); next }
region == "kmemleak" {
	if ($0 ~ /^unreferenced object /) {
		leak_end()
		nobjects++
		obj = "    " $0 "\n"
		obj_lines = 1
		obj_ours = 0
	} else if (obj_lines) {
		if (obj_lines++ < 14)
			obj = obj "    " $0 "\n"
		if (kpython_frame($0))
			obj_ours = 1
	}
	next
}

/^@@KPY DMESG BEGIN/ { region = "dmesg"; next }
/^@@KPY DMESG END/ { region = "after"; next }

# The kernel log dump: only what follows the driver's insmod marker counts
# (boot messages may say WARNING harmlessly); if the marker is gone, the log
# wrapped and every line left is from after the insmod.
region == "dmesg" {
	have_dmesg = 1
	if ($0 ~ /Kernel command line:.* kmemleak=on( |$)/)
		want_kmemleak = 1
	if ($0 ~ /kpy-rig: insmod/) {
		dmesg_armed = 1
		nprehits = 0
	}
	if (match($0, /kpy-rig: case [^ ]+/))
		kcase = substr($0, RSTART + 14, RLENGTH - 14)
	if ($0 ~ /kpy-rig: watchdog begin/)
		in_watchdog = 1
	if ($0 ~ /kpy-rig: watchdog end/)
		in_watchdog = 0
	if (in_watchdog || !bad($0))
		next
	where = "dmesg" (kcase != "" ? " (during " kcase ")" : "")
	if (dmesg_armed)
		note_hit(where, $0)
	else if (nprehits < 40)
		prehits[++nprehits] = where ": " $0
	next
}

/^@@KPY BEGIN / {
	current = $3
	if (current == "insmod")
		region = "tests"
	begun[current] = 1
	detail[current] = ""
	ndetail[current] = 0
	next
}

/^@@KPY (PASS|FAIL|SKIP) / {
	name = $3
	result[name] = $2
	secs[name] = $4
	reason[name] = ""
	if (NF > 4) {
		r = $0
		sub(/^@@KPY [A-Z]+ [^ ]+ [^ ]+ /, "", r)
		reason[name] = r
	}
	if (!(name in known)) {
		order[++n] = name
		known[name] = 1
	}
	current = ""
	next
}

/^@@KPY ABORT / { aborted = substr($0, 13) }
/^@@KPY WATCHDOG BEGIN / { in_console_watchdog = 1 }
/^@@KPY WATCHDOG END / { in_console_watchdog = 0 }
/^@@KPY BOOTED/ { booted = 1 }
/^@@KPY DONE/ { done = 1 }
/^@@KPY / { next }

{
	if (region == "tests" && !in_console_watchdog && kernel_line($0) && bad($0))
		note_hit("console" (current != "" ? " (during " current ")" : ""), $0)
	# Bounded: a flood of kernel reports during one case (tens of MB) would
	# make this concatenation quadratic; the first lines say what happened.
	if (current != "" && ndetail[current]++ < 400)
		detail[current] = detail[current] $0 "\n"
	else if (current != "" && ndetail[current] == 401)
		detail[current] = detail[current] "    [... more lines in the console log]\n"
}

function leak_end() {
	if (obj_lines && obj_ours) {
		nleaks++
		if (nleaks <= 3)
			leaks = leaks obj
	}
	obj_lines = 0
}

END {
	passed = failed = skipped = 0
	for (i = 1; i <= n; i++) {
		name = order[i]
		if (name in result) {
			r = result[name]
			line = sprintf("%s %s (%s)", r, name, secs[name])
			if (reason[name] != "")
				line = line ": " reason[name]
		} else if (name in begun) {
			r = "FAIL"
			line = "FAIL " name ": no result (the VM stopped or hung during this case)"
		} else {
			r = "FAIL"
			line = "FAIL " name ": not run (" \
				(aborted != "" ? aborted : "the VM stopped earlier") ")"
		}
		print line
		if (r == "FAIL" && detail[name] != "")
			printf "%s", detail[name]
		if (r == "PASS")
			passed++
		else if (r == "SKIP")
			skipped++
		else
			failed++
	}

	wrapped = have_dmesg && !dmesg_armed
	if (wrapped)
		for (i = 1; i <= nprehits; i++)
			hits[++nhits] = prehits[i]
	if (!booted)
		print "FAIL kernel-log: the VM never reached /init"
	else if (wrapped) {
		print "FAIL kernel-log: the kernel log wrapped (insmod marker lost; raise log_buf_len)"
		for (i = 1; i <= nhits && i <= 40; i++)
			print "    " hits[i]
	}
	else if (nhits) {
		print "FAIL kernel-log: " nhits " suspicious kernel log line(s):"
		for (i = 1; i <= nhits && i <= 40; i++)
			print "    " hits[i]
	} else if (!have_dmesg)
		print "FAIL kernel-log: no kernel log dump (the VM stopped early)"
	else
		print "PASS kernel-log (no BUG/Oops/WARNING/lockup/stack messages)"
	if (!booted || nhits || !have_dmesg || wrapped)
		failed++
	else
		passed++

	if (want_kmemleak || have_kmemleak) {
		if (!have_kmemleak)
			print "FAIL kmemleak: no scan after rmmod (the VM stopped early or the module stayed loaded)"
		else if (kmemleak_failed != "")
			print "FAIL kmemleak: " kmemleak_failed
		else if (nleaks)
			printf "FAIL kmemleak: %d unreferenced object(s) allocated through kpython:\n%s", nleaks, leaks
		else
			printf "PASS kmemleak (%d unreferenced object(s) in the kernel, none through kpython)\n", nobjects
		if (!have_kmemleak || kmemleak_failed != "" || nleaks)
			failed++
		else
			passed++
	}

	printf "passed=%d failed=%d skipped=%d\n", passed, failed, skipped
	exit failed ? 1 : 0
}
