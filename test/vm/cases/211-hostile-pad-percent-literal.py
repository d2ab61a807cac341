try:
    r = '%4611686018427387904d' % 1
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
