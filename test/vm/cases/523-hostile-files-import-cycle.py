# Deep import chains end in RuntimeError (C stack), cycles see the partial
# module as in CPython, and nothing is left behind for the next script.
import os
import sys

d = "/tmp/kpy-523"
os.mkdir(d)
sys.path.insert(0, d)
N = 40
with open(d + "/kpydepth.py", "w") as f:
    f.write("n = 0\n")
import kpydepth
for i in range(N):
    with open("%s/chain%d.py" % (d, i), "w") as f:
        f.write("import kpydepth\nkpydepth.n = %d\n" % i)
        if i + 1 < N:
            f.write("import chain%d\n" % (i + 1))
try:
    import chain0
    print("chain imported")
except RuntimeError as e:
    print("RuntimeError:", e)
print("depth reached:", kpydepth.n)
with open(d + "/cyc_a.py", "w") as f:
    f.write("import cyc_b\nA = 1\n")
with open(d + "/cyc_b.py", "w") as f:
    f.write("import cyc_a\nB = getattr(cyc_a, 'A', 'partial')\n")
import cyc_a
print(cyc_a.A, cyc_a.cyc_b.B)
with open(d + "/selfimp.py", "w") as f:
    f.write("import selfimp\nS = 5\n")
import selfimp
print(selfimp.S)
# A package whose __init__ imports its own submodule, which imports it.
os.mkdir(d + "/pk")
with open(d + "/pk/__init__.py", "w") as f:
    f.write("from . import m\nP = m.M\n")
with open(d + "/pk/m.py", "w") as f:
    f.write("import pk\nM = 'm'\n")
import pk
print(pk.P)
for name in os.listdir(d + "/pk"):
    os.remove(d + "/pk/" + name)
os.rmdir(d + "/pk")
for name in os.listdir(d):
    os.remove(d + "/" + name)
os.rmdir(d)
