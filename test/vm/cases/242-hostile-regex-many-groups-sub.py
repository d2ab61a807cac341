try:
    import re
    r = len(re.sub('(a)' * 3000, 'x', 'a' * 3000))
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
