try:
    r = eval('1' + ' ** 1' * 2000) is not None and 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
