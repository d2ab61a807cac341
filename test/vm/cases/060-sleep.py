import time
time.sleep_ms(10)
print("slept")
