try:
    r = exec('x = ' + '[' * 5000 + ']' * 5000) or 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
