try:
    import re
    r = re.search('(' + '|'.join(str(i) for i in range(3000)) + ')x', '-2999x').group(1)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
