try:
    import re
    r = re.match('(' * 2000 + 'a' + ')*' * 2000, 'aaa').group(0)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
