try:
    import re
    r = re.compile('(?:' * 2000 + 'a' + ')' * 2000).match('a').group(0)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
