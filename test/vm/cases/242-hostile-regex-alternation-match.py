try:
    import re
    r = re.match('|'.join(['b'] * 5000) + '|a', 'a').group(0)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
