import re
while True:
    re.match('(a*)*b', 'a' * 30)
