try:
    r = '{:0{}d}'.format(1, 2 ** 62)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
