try:
    r = '{:>4611686018427387904}'.format('a')
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
