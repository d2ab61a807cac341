import re
while True:
    re.match('(a|a)*b', 'a' * 30)
