import re
r = re.compile('(a+)+$')
while True:
    try:
        r.match('a' * 40 + '!')
    except RuntimeError:
        pass
