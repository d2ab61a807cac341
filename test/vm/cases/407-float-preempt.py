# Float work that keeps values in vector registers through libm's long
# polynomial evaluations; 407-float-preempt.sh runs it against a user-space
# float workload on the same CPU and compares the result bit for bit.
import math
def work(n):
    s = 0.0
    p = 1.0
    for i in range(1, n):
        x = i * 0.001
        s += math.sin(x) * math.sqrt(x) + x / (1.0 + x * x) + math.exp(-x)
        p = p * 1.0000001 + 1e-9
    return s, p
s, p = work(4000)
print(repr(s), repr(p))
