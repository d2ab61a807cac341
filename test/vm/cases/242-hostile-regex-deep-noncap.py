try:
    import re
    r = re.compile('(?:' * 5000 + 'a' + ')' * 5000).match('a').group(0)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
