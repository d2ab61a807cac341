try:
    r = eval('{1: ' * 3000 + '1' + '}' * 3000) and 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
