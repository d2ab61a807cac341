import re
kept = []
def keep(m):
    kept.append(m)
    return "x"
import gc
re.sub('(.)', keep, 'abcdef')
gc.collect()
y = [bytearray(64) for i in range(500)]
gc.collect()
print(''.join(m.group(1) for m in kept))
