try:
    r = eval('lambda: ' * 1500 + '0') and 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
