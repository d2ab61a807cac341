try:
    r = '{:{}}'.format('a', -5)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
