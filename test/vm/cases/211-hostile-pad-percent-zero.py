try:
    r = '%0*d' % (2 ** 63 - 1, 1)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
