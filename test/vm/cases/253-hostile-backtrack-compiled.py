import re
r = re.compile('(a+)+$')
while True:
    r.match('a' * 40 + '!')
