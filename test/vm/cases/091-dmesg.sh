# A plain write (echo > exec) runs the script; its output and its traceback
# go to the kernel log.
. "$KPY_LIB"

# echo_script LABEL CODE PATTERN: CODE's output must reach dmesg.
echo_script() {
	before=$(dmesg | wc -l)
	echo "$2" >"$KPY_EXEC"
	st=$?
	check_status "$1: echo > exec" 0 "$st"
	end=$(($(uptime_ms) + 5000))
	while :; do
		dmesg | tail -n +$((before + 1)) >/tmp/dmesg.new
		grep -qE "$3" /tmp/dmesg.new && return 0
		[ "$(uptime_ms)" -lt "$end" ] || break
		sleep 0.1
	done
	fail "$1: no line matching /$3/ in the kernel log; new lines:"
	tail -n 20 /tmp/dmesg.new | show
}

echo_script "print(42)" 'print(42)' '(^|[^0-9])42$'
echo_script "unique text" 'print("kpy-" + "dmesg-" + str(6 * 7))' 'kpy-dmesg-42'
echo_script "traceback" '1 // 0' 'ZeroDivisionError'
module_works "after echo"

finish
