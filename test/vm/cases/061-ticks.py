import time
t0 = time.ticks_ms()
time.sleep_ms(50)
dt = time.ticks_diff(time.ticks_ms(), t0)
print("elapsed ok" if 40 <= dt < 2000 else "elapsed wrong: %d ms" % dt)
