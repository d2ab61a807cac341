import re
while True:
    re.sub('(x+x+)+y', '', 'x' * 40)
