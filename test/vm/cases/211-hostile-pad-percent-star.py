try:
    r = '%*s' % (2 ** 62, 'a')
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
