import gc
chunks = []
try:
    while True:
        chunks.append(bytearray(4096))
except MemoryError:
    n = len(chunks)
    chunks = None
    print("MemoryError after", "many" if n > 10 else n, "chunks")
gc.collect()
print("recovered", len([bytearray(4096) for i in range(8)]))
