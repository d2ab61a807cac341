try:
    r = compile('-' * 5000 + '1', 's', 'eval') and 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
