# Paths resolve with the caller's credentials, umask, cwd, root and mount
# namespace, as its own syscalls would; without a caller (the exec file
# closed by an exiting process) file operations fail with EPERM.
. "$KPY_LIB"

d=/tmp/kpy-527
grep -q '^kpyuser:' /etc/passwd || echo 'kpyuser:x:1000:1000::/tmp:/bin/sh' >>/etc/passwd
grep -q '^kpyuser:' /etc/group 2>/dev/null || echo 'kpyuser:x:1000:' >>/etc/group
mkdir -p "$d/root-only" "$d/pub" "$d/ns" "$d/jail/bin" "$d/jail/etc"
echo secret >"$d/root-only/s"
chmod 755 "$d"
chmod 700 "$d/root-only"
chmod 777 "$d/pub"
# The initramfs root comes as 0700; another user needs to traverse it.
chmod 755 /

# As uid 1000 through an exec file that root opened (fd 3): the script
# runs in the reading process, with its credentials.
exec 3<>"$KPY_EXEC"
su -s /bin/sh kpyuser -c 'umask 077; printf "%s" "$0" >&3; cat <&3' 'import errno, os
def err(label, fn, *a):
    try:
        fn(*a)
        print(label, "allowed")
    except OSError as e:
        print(label, errno.errorcode[e.errno])
err("read", open, "/tmp/kpy-527/root-only/s")
err("listdir", os.listdir, "/tmp/kpy-527/root-only")
err("remove", os.remove, "/tmp/kpy-527/root-only/s")
err("mkdir", os.mkdir, "/tmp/kpy-527/root-only/x")
err("rename", os.rename, "/tmp/kpy-527/root-only/s", "/tmp/kpy-527/pub/s")
err("debugfs", open, "/sys/kernel/debug/kpython/stats")
err("create in /", open, "/kpy-527-x", "w")
open("/tmp/kpy-527/pub/mine", "w").close()
st = os.stat("/tmp/kpy-527/pub/mine")
print(st[4], st[5], oct(st[0] & 0o777))' >"$d/out" 2>&1
check_status "as uid 1000" 0 $? || show "$d/out"
exec 3<&-
cat >"$d/want" <<'OUT'
read EACCES
listdir EACCES
remove EACCES
mkdir EACCES
rename EACCES
debugfs EACCES
create in / EACCES
1000 1000 0o600
OUT
check_file_eq "as uid 1000" "$d/want" "$d/out"

# Relative paths and getcwd: the caller's working directory.
out=$(cd "$d/pub" && kpython -c 'import os
print(os.getcwd(), os.listdir("."), open("mine").read() == "")' 2>&1)
check_eq "cwd" "/tmp/kpy-527/pub ['mine'] True" "$out"

# A mount only the caller's namespace has.
out=$(unshare -m sh -c "mount -t tmpfs tmpfs $d/ns && echo inside >$d/ns/f &&
	kpython -c 'print(open(\"$d/ns/f\").read().strip())'" 2>&1)
check_eq "mount namespace" inside "$out"
out=$(kpython -c "import os; print(os.listdir('$d/ns'))" 2>&1)
check_eq "outside the namespace" "[]" "$out"

# The caller's root (chroot): / is the jail.
cp /bin/busybox "$d/jail/bin/"
echo jailed >"$d/jail/etc/marker"
exec 3<>"$KPY_EXEC"
out=$(chroot "$d/jail" /bin/busybox sh -c 'printf "%s" "$0" >&3; /bin/busybox cat <&3' \
	'import os; print(open("/etc/marker").read().strip(), sorted(os.listdir("/")))' 2>&1)
exec 3<&-
check_eq "chroot" "jailed ['bin', 'etc']" "$out"

# No caller: the exec file's last close happens in do_exit(), after the
# process gave up its mm and fs. The script still runs (output to the
# log), its file operations fail with EPERM.
before=$(klog_lines)
KPY_EXEC=$KPY_EXEC sh -c 'exec 3>"$KPY_EXEC"; printf "%s" "$0" >&3; exit 0' 'import errno
try:
    open("/tmp/kpy-527/exit-made", "w")
    print("kpy-527 opened")
except OSError as e:
    print("kpy-527 exit path", errno.errorcode[e.errno])'
sleep 0.3
dmesg | tail -n +$((before + 1)) | grep 'kpy-527' >"$d/log"
check_contains "exit path" "$d/log" "kpy-527 exit path EPERM"
[ -e "$d/exit-made" ] && fail "exit path: the file was created"

umount "$d/ns" 2>/dev/null
rm -rf "$d"
module_works "credentials"
finish
