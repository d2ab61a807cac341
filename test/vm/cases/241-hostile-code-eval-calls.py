try:
    r = eval('abs' + '(' * 2000 + '1' + ')' * 2000) and 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
