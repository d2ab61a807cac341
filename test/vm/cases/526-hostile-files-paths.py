# Paths a script controls: NUL bytes, overlong names, 20 KB paths,
# directories as files, many and odd directory entries.
import errno
import os


def err(label, fn, *args):
    try:
        fn(*args)
        print(label, "no error")
    except OSError as e:
        print(label, errno.errorcode.get(e.errno, e.errno))
    except (ValueError, TypeError, UnicodeError) as e:
        print(label, type(e).__name__)


d = "/tmp/kpy-526"
os.mkdir(d)
err("NUL at the end", open, "/tmp/x\0")
err("NUL only", os.listdir, "\0")
err("NUL in rename target", os.rename, d, d + "\0x")
err("NUL in mkdir", os.mkdir, "\0")
err("20 KB path", open, "/" * 20000)
err("20 KB stat", os.stat, "a" * 20000)
err("20 KB mkdir", os.mkdir, "/tmp/" + "b" * 20000)
err("20 KB remove", os.remove, "/tmp/" + "c" * 20000)
err("20 KB rename", os.rename, d, "/tmp/" + "d" * 20000)
err("4096 slashes", os.stat, "/" * 4096)
err("4095 slashes", os.stat, "/" * 4095)
err("deep dots", os.listdir, "/" + "../" * 1300)
err("dir as file", open, "/proc")
err("dir as file, bytes", open, b"/sys", "rb")
err("dir for append", open, d, "a")
err("root rmdir", os.rmdir, "/")
err("root remove", os.remove, "/")
err("rename root", os.rename, "/", d + "/r")
err("mkdir root", os.mkdir, "/")
# many entries
for i in range(100):
    open("%s/f%04d" % (d, i), "w").close()
names = os.listdir(d)
print(len(names), sorted(names)[0], sorted(names)[-1])
for n in names:
    os.remove(d + "/" + n)
# an entry that is not UTF-8
open((d + "/\xe9").encode(), "w").close()
open(d.encode() + b"/\xff", "w").close()
print(sorted(os.listdir(d.encode())))
err("str listdir of non-UTF-8", os.listdir, d)
os.remove(d.encode() + b"/\xff")
print(os.listdir(d))
os.remove(d + "/\xe9")
os.rmdir(d)
