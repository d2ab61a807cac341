# Sleeps last as long as asked: not shorter, and not rounded up slice by
# slice (msleep(10) is 16-20 ms at HZ=250; the module sleeps toward a deadline).
import time


def measure(f, arg):
    t = time.ticks_ms()
    f(arg)
    return time.ticks_diff(time.ticks_ms(), t)


for name, f, arg, want in (
    ("sleep_ms(100)", time.sleep_ms, 100, 100),
    ("sleep_ms(25)", time.sleep_ms, 25, 25),
    ("sleep(1)", time.sleep, 1, 1000),
    ("sleep_us(50000)", time.sleep_us, 50000, 50),
):
    got = measure(f, arg)
    ok = want <= got <= want * 3 // 2 + 5
    print(name, "ok" if ok else "took %d ms" % got)
