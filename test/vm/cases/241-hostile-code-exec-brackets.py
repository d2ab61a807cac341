try:
    r = exec('x = ' + '[' * 2000 + ']' * 2000) or 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
