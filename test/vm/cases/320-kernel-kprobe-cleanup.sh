# Probes never outlive their script: after a context exit, a normal end, an
# exception, sys.exit, the time limit, a fatal signal - and rmmod cannot
# pull the module from under a running script that has probes.
. "$KPY_LIB"

kp=/sys/kernel/debug/kprobes/list
clean() { # clean WHAT
	kprobes_gone "$1"
}

kpython -c 'import kernel
with kernel.kprobe("vfs_read"):
    pass
print("ok")' >/dev/null
clean "context exit"
kpython -c 'import kernel
p = kernel.kprobe("vfs_read"); p.__enter__()
q = kernel.kretprobe("vfs_read")
r = kernel.kprobe("si_meminfo")' >/dev/null
check_status "normal end with probes entered and not" 0 $?
clean "normal end"
kpython -c 'import kernel
with kernel.kprobe("vfs_read"):
    raise ValueError("inside")' >/dev/null 2>&1
check_status "exception" 1 $?
clean "exception inside the context"
kpython -c 'import kernel, sys
p = kernel.kretprobe("vfs_read"); p.__enter__()
sys.exit(3)' >/dev/null 2>&1
check_status "sys.exit" 1 $?
clean "sys.exit"
kpython -c 'import kernel
p = kernel.kprobe("kern_probe_pop"); p.__enter__()
while True:
    for e in p.events(50):
        pass' >/dev/null 2>&1
check_status "time limit in events()" 124 $?
clean "time limit"
clean "315 (aborted while iterating events)"

# Under a debug kernel registering alone may take most of a 2 s limit.
param=/sys/module/kpython/parameters/timeout_ms
limit=$(cat "$param")
echo $((6000 * ${CASE_TIMEOUT_SCALE:-1})) >"$param"

# The scripts below say when their probes are in (a file), since on the
# debug tier the list also holds probes of earlier scripts that the
# optimizer has not freed yet.
ready() { # ready FILE: wait (up to 10 s, scaled) until the script made FILE
	_i=0
	while [ ! -e "$1" ] && [ "$_i" -lt $((200 * ${CASE_TIMEOUT_SCALE:-1})) ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -e "$1" ] || fail "the script never said its probes are in ($1)"
}

# A running script with probes: they show in the list while it runs,
# rmmod is refused (the open exec file holds the module), and they are
# gone when the script ends; then the module still works.
rm -f /tmp/kc.ready
kpython -c 'import kernel
with kernel.kprobe("vfs_read", capacity=64) as p, kernel.kretprobe("vfs_read") as r:
    open("/tmp/kc.ready", "w").close()
    for e in p.events(500):
        pass
print("ended")' >/tmp/kc.out 2>&1 &
client=$!
ready /tmp/kc.ready
n=$(grep -v -e DISABLED -e GONE "$kp" | grep -c vfs_read)
check_eq "probes listed while the script runs" 2 "$n"
if rmmod kpython 2>/tmp/kc.rmmod; then
	fail "rmmod succeeded under a running script"
	wait "$client"
	insmod /kpy/kpython.ko $(cat /kpy/insmod.args 2>/dev/null) ||
		fail "insmod again failed"
else
	note "rmmod refused: $(cat /tmp/kc.rmmod)"
fi
wait "$client"
check_status "script under rmmod" 0 $?
check_eq "script output" ended "$(cat /tmp/kc.out)"
clean "after rmmod was refused"
echo "$limit" >"$param"

# A fatal signal while waiting in events().
rm -f /tmp/kc.ready
kpython -c 'import kernel
with kernel.kprobe("vfs_read") as p:
    open("/tmp/kc.ready", "w").close()
    for e in p.events(None):
        pass' >/dev/null 2>&1 &
client=$!
ready /tmp/kc.ready
kill -KILL "$client"
wait "$client" 2>/dev/null
sleep 0.5
module_works "after SIGKILL"
clean "SIGKILL"
finish
