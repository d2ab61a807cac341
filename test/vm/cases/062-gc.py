import gc
gc.collect()
for i in range(50):
    junk = [str(j) * 10 for j in range(100)]
    gc.collect()
print("collected", len(junk))
