# Found by the fuzzer once floats existed: time.sleep(-1) converted -1000.0
# to an unsigned integer (undefined). Now a ValueError, as in CPython.
import time
for v in (-1, -0.5, float("nan"), float("-inf")):
    try:
        time.sleep(v)
        print("slept", v)
    except ValueError as e:
        print("ValueError", e)
time.sleep(0)
time.sleep(1e-9)
print("ok")
