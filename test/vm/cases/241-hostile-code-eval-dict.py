try:
    r = eval('{1: ' * 1500 + '1' + '}' * 1500) and 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
