try:
    r = eval('not ' * 3000 + '1') is not None and 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
