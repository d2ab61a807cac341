try:
    r = '%*d' % (-(2 ** 62), 3)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
