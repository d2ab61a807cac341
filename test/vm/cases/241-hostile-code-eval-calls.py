try:
    r = eval('abs' + '(' * 5000 + '1' + ')' * 5000) and 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
