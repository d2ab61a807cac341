# open() modes, reading and writing, seek/tell, lines, with, print(file=),
# and the os functions, on the VM's tmpfs; output as CPython prints it.
import errno
import os

d = "/tmp/kpy-500"
try:
    os.mkdir(d)
except OSError as e:
    print("mkdir", errno.errorcode[e.errno])
p = d + "/a.txt"

with open(p, "w") as f:
    print(type(f).__name__)
    print(f.write("one\ntwo\n"))
    print("three", 3, sep="=", file=f)
with open(p) as f:
    print(repr(f.read()))
with open(p, "a") as f:
    f.write("four\n")
with open(p) as f:
    print([line for line in f])
with open(p) as f:
    print(repr(f.readline()), repr(f.readline()))
    print(f.readlines())
with open(p, "rb") as f:
    print(f.read(3), f.tell())
    print(f.seek(-5, 2), f.read())
    print(f.seek(0), f.read(4))
with open(p, "r+") as f:
    f.write("ONE")
    f.seek(0)
    print(repr(f.read(7)))
with open(p, "w+b") as f:
    f.write(b"\x00\xff" * 3)
    f.seek(1)
    print(f.read())
with open(p, "rb") as f:
    print(f.read(100), f.read(), f.read(1))
with open(p, "ab+") as f:
    f.write(b"z")
    f.seek(0)
    print(f.read())
try:
    open(p, "x")
except OSError as e:
    print("x:", errno.errorcode[e.errno])
with open(d + "/new", "x") as f:
    f.write("new")
st = os.stat(p)
print(len(st), st[6], st.st_size == st[6], st[0] & 0o170000 == 0o100000)
print(os.stat(d)[0] & 0o170000 == 0o040000)
print(sorted(os.listdir(d)))
print(sorted(os.listdir(d.encode())))
os.rename(d + "/new", d + "/renamed")
print(sorted(os.listdir(d)))
with open(d + "/renamed") as f:
    print(f.read())
os.mkdir(d + "/sub")
print(sorted(os.listdir(d)))
os.rmdir(d + "/sub")
os.remove(d + "/renamed")
os.unlink(p)
print(os.listdir(d))
os.rmdir(d)
try:
    os.stat(d)
except OSError as e:
    print("gone:", errno.errorcode[e.errno], e.errno == errno.ENOENT)
f = open("/tmp/kpy-500-closed", "w")
f.close()
f.close()
try:
    f.write("x")
except ValueError as e:
    print("closed:", e)
os.remove("/tmp/kpy-500-closed")
print(os.getcwd() == os.getcwd(), os.getcwd()[0])
