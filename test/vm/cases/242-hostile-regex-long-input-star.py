try:
    import re
    r = len(re.match('(?:x|y)*', 'x' * 50000).group(0))
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
